import re

import pytest
from sqlalchemy import func, select

from dryport.models import Company, Role, User
from dryport.services import credit_codes
from tests.conftest import PASSWORD, VALID_USCC, csrf_token

OTHER_USCC = credit_codes.make("91610902", "MA6ABC12")


def _register(client, **fields):
    page = client.get("/register")
    data = {
        "company_name": "安康富硒茶业有限公司",
        "credit_code": VALID_USCC,
        "name": "李娜",
        "email": "li.na@example.com",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "csrf_token": csrf_token(page),
        **fields,
    }
    return client.post("/register", data=data)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_sign_in_and_out(client, auth, make_user):
    user = make_user(Role.OPERATOR)
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/departures").status_code == 200
    auth.logout()
    response = client.get("/departures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copy_of_the_session_cookie_stops_working_at_sign_out(app, client, auth, make_user):
    user = make_user(Role.OPERATOR)
    auth.login(user.email)
    copy = client.get_cookie("session").value  # taken by someone else before sign-out
    thief = app.test_client()
    thief.set_cookie("session", copy)
    assert thief.get("/departures").status_code == 200
    auth.logout()
    response = thief.get("/departures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert auth.login(user.email).status_code == 302  # signing in again starts afresh
    assert client.get("/departures").status_code == 200
    assert thief.get("/departures").status_code == 302


def test_a_wrong_password_is_told_in_chinese_by_default(client, auth, make_user):
    user = make_user(Role.OPERATOR)
    response = auth.login(user.email, "wrong-password-here")
    assert response.status_code == 401
    assert "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/departures").status_code == 302


def test_sign_in_goes_back_only_to_a_page_of_this_site(client, make_user):
    user = make_user(Role.OPERATOR)
    page = client.get("/login")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert response.headers["Location"] == "/"


def test_a_shipper_registers_with_its_company(client, auth, db_session, seeded):
    response = _register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db_session.scalar(select(User).where(User.email == "li.na@example.com"))
    assert user.role is Role.SHIPPER
    assert user.company.credit_code == VALID_USCC
    assert auth.login("li.na@example.com").status_code == 302
    assert client.get("/departures").status_code == 200


def test_a_malformed_credit_code_is_explained_and_changes_nothing(client, db_session, seeded):
    response = _register(client, credit_code="91110000600037341M")
    assert response.status_code == 422
    assert "校验位应为 L" in response.get_data(as_text=True)
    assert _count(db_session, User) == 0 and _count(db_session, Company) == 0


def test_a_known_address_gets_the_same_answer_as_a_new_one_and_changes_nothing(
    app, client, db_session, make_user
):
    """No enumeration: registering a known address answers exactly as a new one does."""
    known = make_user(Role.OPERATOR, email="li.na@example.com")
    db_session.commit()
    answers = []
    for email, code in (("li.na@example.com", VALID_USCC), ("new@example.com", OTHER_USCC)):
        browser = app.test_client()
        response = _register(browser, email=email, credit_code=code)
        page = browser.get(response.headers["Location"]).get_data(as_text=True)
        flash = re.search(r'class="flash[^"]*"[^>]*>(.*?)<', page, re.S).group(1).strip()
        answers.append((response.status_code, response.headers["Location"], flash))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and "登录" in answers[0][2]
    db_session.expire_all()
    assert db_session.scalar(select(User.role).where(User.id == known.id)) is Role.OPERATOR
    assert _count(db_session, User) == 2 and _count(db_session, Company) == 1
    assert db_session.scalar(select(Company.credit_code)) == OTHER_USCC  # not the known one's


def test_different_passwords_are_refused(client, db_session, seeded):
    response = _register(client, password_confirm="something-else-entirely")
    assert response.status_code == 422
    assert "两次输入的密码不一致" in response.get_data(as_text=True)
    assert _count(db_session, User) == 0


def test_a_form_without_csrf_token_is_refused(client, db_session, seeded, make_user):
    user = make_user(Role.OPERATOR)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/departures").status_code == 302  # not signed in
    response = client.post(
        "/register",
        data={
            "company_name": "X",
            "credit_code": VALID_USCC,
            "name": "x",
            "email": "x@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert _count(db_session, Company) == 0


def test_a_forged_csrf_token_is_refused(client, make_user):
    user = make_user(Role.OPERATOR)
    client.get("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_registering_a_company_that_exists_is_refused(client, db_session, make_user):
    make_user(Role.SHIPPER, company=None)  # some other company
    from dryport.services import accounts

    accounts.get_or_create_company(db_session, "安康富硒茶业有限公司", VALID_USCC)
    db_session.commit()
    response = _register(client, company_name="Evil Corp")
    assert response.status_code == 422
    assert "该企业已注册" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_sign_out_and_language_switch_need_the_csrf_token(client, auth, make_user):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.post("/logout").status_code == 400
    assert client.get("/departures").status_code == 200  # still signed in
    assert client.post("/language/en", data={"next": "/departures"}).status_code == 400
    assert "班列" in client.get("/departures").get_data(as_text=True)


def test_a_missing_field_on_sign_in_is_named(client):
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": "a@example.com", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 422
    assert "此字段为必填项" in response.get_data(as_text=True)


def test_an_unknown_form_field_is_ignored(client, db_session, seeded):
    response = _register(client, browser_extension_field="x")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path", ["/departures?page=99999999999999999999", "/bookings/?page=-5", "/bookings/a%00b"]
)
def test_extreme_input_on_pages_never_fails_with_500(client, auth, make_user, path):
    auth.login(make_user(Role.OPERATOR).email)
    assert client.get(path).status_code in (200, 404, 422)


def test_a_password_is_taken_as_typed_spaces_and_all(client, auth, db_session, seeded):
    spaced = "  茶园的清晨 green tea at dawn  "
    assert _register(client, password=spaced, password_confirm=spaced).status_code == 302
    assert auth.login("li.na@example.com", spaced).status_code == 302
    auth.logout()
    assert auth.login("li.na@example.com", spaced.strip()).status_code == 401


@pytest.mark.parametrize(
    ("lang", "password", "said"),
    [
        ("zh", "qwerty123456", "最常见"),
        ("en", "qwerty123456", "One of the most common passwords: choose another."),
        ("zh", "li.na@example.com", "邮箱"),
        ("en", "Li.Na2024", None),  # too short: the length rule speaks first
        ("en", "li.na.example.com", "Not your email address or the part before its @."),
    ],
)
def test_a_common_password_or_the_email_is_refused_beside_the_field(
    client, db_session, seeded, lang, password, said
):
    client.post(f"/language/{lang}", data={"csrf_token": csrf_token(client.get("/register"))})
    response = _register(client, password=password, password_confirm=password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*name="password"[^>]*>(.*?)</div>', page, re.S)
    assert 'aria-invalid="true"' in field.group(0)
    if said:
        assert said in field.group(1)  # beside the field, not only at the top
    assert _count(db_session, User) == 0 and _count(db_session, Company) == 0


def test_a_common_password_is_flagged_together_with_a_wrong_credit_code(client, seeded):
    response = _register(
        client, credit_code="N2610923MA6ABC1234", password="qwerty123456",
        password_confirm="qwerty123456",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "最后一位应为 2" in page and "最常见的密码" in page


def test_an_overlong_password_is_refused_and_changes_nothing(client, db_session, seeded):
    long = "x" * 129
    response = _register(client, password=long, password_confirm=long)
    assert response.status_code == 422
    assert "最多 128 个字符" in response.get_data(as_text=True)
    assert _count(db_session, User) == 0


def test_signing_out_keeps_the_language_and_nothing_else(client, auth, make_user):
    auth.login(make_user(Role.OPERATOR).email)
    page = client.get("/departures")
    client.post("/language/en", data={"csrf_token": csrf_token(page), "next": "/departures"})
    auth.logout()
    login = client.get("/login").get_data(as_text=True)
    assert "You have signed out." in login and '<html lang="en">' in login
    assert client.get("/departures").status_code == 302


def test_another_companys_booking_is_a_plain_404_page(client, auth, make_user, make_booking):
    booking = make_booking(make_user(Role.SHIPPER).company)
    auth.login(make_user(Role.SHIPPER).email)
    response = client.get(f"/bookings/{booking.reference}")
    assert response.status_code == 404
    assert "页面不存在，或您无权查看" in response.get_data(as_text=True)
