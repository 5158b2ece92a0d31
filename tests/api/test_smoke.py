from tests.factories.registry import create_station


async def test_create_and_get(admin):
    station = await create_station(admin)
    response = await admin.get(f"/v1/stations/{station['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
