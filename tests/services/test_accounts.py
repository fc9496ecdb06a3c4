from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dryport.models import ApiToken, Company, Role, User
from dryport.services import accounts, credit_codes
from dryport.services.clock import utcnow
from dryport.services.errors import Conflict, Invalid, Unauthorized
from tests.conftest import PASSWORD, VALID_USCC


def test_a_valid_credit_code_is_normalised():
    assert accounts.normalise_credit_code(" 91110000600037341l ") == VALID_USCC


def test_a_wrong_check_character_names_the_right_one():
    with pytest.raises(Invalid, match="should be L"):
        accounts.normalise_credit_code("91110000600037341M")


@pytest.mark.parametrize(
    "prefix",
    [
        "N2610923",  # a village collective economic organisation (agriculture)
        "N1610921",  # a group-level collective
        "Y1610902",  # registered by another authority
        "A1110000",  # the Central Military Commission's office
        "51610900",  # a social organisation (civil affairs)
        "93610981",  # a farmers' cooperative (market regulation)
    ],
)
def test_every_authority_of_gb_32100_is_accepted(prefix):
    code = credit_codes.make(prefix, "MA6ABC12")
    assert accounts.normalise_credit_code(code.lower()) == code


def test_the_organisation_code_check_character_is_checked_too():
    good = credit_codes.make("91610900", "MA6ABC12")  # organisation code MA6ABC12-2
    assert good[16] == "2"
    first17 = good[:16] + "3"  # a wrong organisation check character, but a right final one
    forged = first17 + credit_codes.check_character(first17)
    with pytest.raises(Invalid, match="should end in 2"):
        accounts.normalise_credit_code(forged)


def test_a_first_character_no_authority_uses_is_explained():
    first17 = "B1610900MA6ABC122"
    with pytest.raises(Invalid, match="1–9 or A, N or Y"):
        accounts.normalise_credit_code(first17 + credit_codes.check_character(first17))


def test_the_region_is_six_digits():
    first17 = "91A10900MA6ABC122"
    with pytest.raises(Invalid, match="six-digit region code"):
        accounts.normalise_credit_code(first17 + credit_codes.check_character(first17))


def test_a_short_credit_code_says_how_long_it_must_be():
    with pytest.raises(Invalid, match="18 characters; this one has 5"):
        accounts.normalise_credit_code("12345")


def test_letters_outside_the_alphabet_are_refused():
    with pytest.raises(Invalid, match="without I, O"):
        accounts.normalise_credit_code("9111000060003734IL")


@pytest.mark.parametrize("password", ["qwerty123456", "Q1W2E3R4T5Y6", "password1234"])
def test_the_commonest_passwords_are_refused_in_any_case(password):
    with pytest.raises(Invalid, match="most common") as refused:
        accounts.check_password_rule(password, "li.na@example.com")
    assert refused.value.errors == {
        "password": ["One of the most common passwords: choose another."]
    }


@pytest.mark.parametrize(
    "password", ["Zhang.Weiming@tea.example", "zhang.weiming", "ZhangWeiming2024"]
)
def test_the_email_or_its_name_part_is_refused_as_password(password):
    with pytest.raises(Invalid, match="email address") as refused:
        accounts.check_password_rule(password, "zhang.weiming@tea.example")
    assert "password" in refused.value.errors
    accounts.check_password_rule("zhang weiming's tea garden", "zhang.weiming@tea.example")


def test_a_new_password_follows_the_same_rule(make_user, db_session):
    user = make_user(Role.OPERATOR, email="wang.min.ops@dryport.example")
    for bad in ("wang.min.ops@dryport.example", "1q2w3e4r5t6y"):
        with pytest.raises(Invalid):
            accounts.set_password(db_session, user, bad)
    with pytest.raises(Invalid, match="email address"):
        accounts.create_user(
            db_session, role=Role.OPERATOR, email="chen.jie@dryport.example",
            password="Chen.Jie@dryport.example",
        )  # fmt: skip


def test_passwords_are_hashed(make_user, db_session):
    user = make_user(Role.OPERATOR)
    assert PASSWORD not in user.password_hash
    assert accounts.authenticate(db_session, user.email.upper(), PASSWORD) == user


def test_a_wrong_password_does_not_say_which_part_was_wrong(make_user, db_session):
    user = make_user(Role.OPERATOR)
    with pytest.raises(Unauthorized) as wrong_password:
        accounts.authenticate(db_session, user.email, "not-the-password")
    with pytest.raises(Unauthorized) as unknown_email:
        accounts.authenticate(db_session, "nobody@example.com", PASSWORD)
    assert str(wrong_password.value) == str(unknown_email.value)


def test_an_inactive_user_cannot_sign_in(make_user, db_session):
    user = make_user(Role.OPERATOR)
    user.active = False
    db_session.commit()
    with pytest.raises(Unauthorized):
        accounts.authenticate(db_session, user.email, PASSWORD)


def test_a_duplicate_email_is_a_conflict_and_adds_nothing(make_user, db_session):
    user = make_user(Role.OPERATOR)
    with pytest.raises(Conflict):
        accounts.create_user(
            db_session, role=Role.ADMIN, email=user.email.upper(), password=PASSWORD
        )
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_a_short_password_is_refused(db_session, seeded):
    with pytest.raises(Invalid, match="at least 12"):
        accounts.create_user(db_session, role=Role.ADMIN, email="a@example.com", password="short")


def test_a_clerk_needs_a_known_station(db_session, seeded):
    with pytest.raises(Invalid, match="station"):
        accounts.create_user(
            db_session,
            role=Role.CLERK,
            email="c@example.com",
            password=PASSWORD,
            station_code="XX",
        )


def test_registration_cannot_join_an_existing_company(db_session, seeded):
    data = {
        "company_name": "Tea",
        "credit_code": VALID_USCC,
        "name": "A",
        "email": "a@example.com",
        "password": PASSWORD,
    }
    accounts.register_shipper(db_session, data)
    db_session.commit()
    with pytest.raises(Conflict, match="already registered"):
        accounts.register_shipper(
            db_session, {**data, "company_name": "Evil Corp", "email": "b@example.com"}
        )
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(User)) == 1


def test_a_known_email_costs_a_password_hash_as_a_new_one_does(
    db_session, seeded, make_user, monkeypatch
):
    """No enumeration by timing: both registrations hash the password once."""
    make_user(Role.OPERATOR, email="known@example.com")
    hashed = []
    real_hash = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    data = {"company_name": "Tea", "name": "A", "password": PASSWORD}
    known = accounts.register_shipper(
        db_session, {**data, "credit_code": VALID_USCC, "email": "KNOWN@example.com"}
    )
    assert known is None and hashed == [PASSWORD]
    assert accounts.find_company(db_session, VALID_USCC) is None  # nothing kept
    other = credit_codes.make("91610902", "MA6ABC12")
    new = accounts.register_shipper(
        db_session, {**data, "credit_code": other, "email": "new@example.com"}
    )
    assert new.company.credit_code == other and hashed == [PASSWORD, PASSWORD]


def test_an_administrator_adds_users_to_a_company_by_its_exact_name(db_session, seeded):
    company = accounts.get_or_create_company(db_session, "Tea", VALID_USCC)
    assert accounts.get_or_create_company(db_session, " Tea ", VALID_USCC) == company
    with pytest.raises(Conflict, match="belongs to Tea"):
        accounts.get_or_create_company(db_session, "Evil Corp", VALID_USCC)
    assert db_session.scalar(select(func.count()).select_from(Company)) == 1


def test_a_token_leads_back_to_its_user_until_it_expires(make_user, db_session):
    user = make_user(Role.OPERATOR)
    token, record = accounts.issue_api_token(db_session, user, timedelta(hours=1))
    assert token not in record.token_hash
    assert accounts.user_for_token(db_session, token) == user
    with pytest.raises(Unauthorized):
        accounts.user_for_token(db_session, token, now=utcnow() + timedelta(hours=2))
    record.revoked_at = utcnow()
    with pytest.raises(Unauthorized):
        accounts.user_for_token(db_session, token)
    with pytest.raises(Unauthorized):
        accounts.user_for_token(db_session, "made-up")
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 1
