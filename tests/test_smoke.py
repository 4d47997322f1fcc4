def test_officer_signs_in_and_sees_dashboard(login, world):
    client = login(world.officer)
    page = client.get("/")
    assert page.status_code == 200
    assert "Reflection periods" in page.get_data(as_text=True)
