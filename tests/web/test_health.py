"""``GET /healthz``: 200 while the database answers, 503 when it does not; for machines, so
no sign-in, no session cookie and nothing cached."""

# A PostgreSQL address where nothing listens: refused at once, on any machine.
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"


def test_the_health_check_answers_ok_while_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # no session is started


def test_the_health_check_needs_no_sign_in_and_ignores_a_bad_token(client):
    response = client.get("/healthz", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 200


def test_the_health_check_says_503_when_the_database_cannot_be_reached(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 503 and body["database"] == "unreachable"
    assert response.headers["Cache-Control"] == "no-store"
    assert "nobody" not in response.get_data(as_text=True)  # no connection detail leaks
