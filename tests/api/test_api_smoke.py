def test_smoke(api):
    r = api.get(api.org())
    assert r.status_code == 200, r.text
    print(r.json())
    r = api.get(api.org("/services"))
    assert r.status_code == 200, r.text
    print(r.json()[0])
    r = api.get(api.org("/staff"))
    print(r.json()[0])
    r = api.post(api.org("/appointments"), json={"service_type_id": str(api.service), "scheduled_start": "2026-01-15T10:00:00-06:00", "phone_number": "55 9999 8888", "name": "Juan Pérez"})
    print(r.status_code, r.json())
    a = r.json()
    r = api.get(api.org(f"/appointments/{a['id']}/history"))
    print(r.json(), r.headers)
