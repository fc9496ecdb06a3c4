from sqlalchemy import func, select

from dryport.models import Company, Role, User
from tests.conftest import PASSWORD, VALID_USCC


def _users(session):
    return session.scalar(select(func.count()).select_from(User))


def test_create_a_shipper_and_its_company(runner, db_session, seeded):
    result = runner.invoke(
        args=[
            "dryport",
            "create-user",
            "--role",
            "shipper",
            "--email",
            "Ops@Tea.example",
            "--password",
            PASSWORD,
            "--name",
            "Ops",
            "--company",
            "Ankang Tea",
            "--credit-code",
            VALID_USCC,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "ops@tea.example"))
    assert user.role is Role.SHIPPER and user.company.name == "Ankang Tea"


def test_create_a_clerk_at_a_station(runner, db_session, seeded):
    result = runner.invoke(
        args=[
            "dryport",
            "create-user",
            "--role",
            "clerk",
            "--email",
            "c@example.com",
            "--password",
            PASSWORD,
            "--station",
            "ZP",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(User)).station.code == "ZP"


def test_a_bad_credit_code_is_explained_and_creates_nothing(runner, db_session, seeded):
    result = runner.invoke(
        args=[
            "dryport",
            "create-user",
            "--role",
            "shipper",
            "--email",
            "s@example.com",
            "--password",
            PASSWORD,
            "--company",
            "X",
            "--credit-code",
            "91110000600037341M",
        ]
    )
    assert result.exit_code == 1
    assert "check character of this credit code should be L" in result.output
    assert "Traceback" not in result.output
    assert _users(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(Company)) == 0


def test_a_clerk_without_a_known_station_is_refused(runner, db_session, seeded):
    result = runner.invoke(
        args=[
            "dryport",
            "create-user",
            "--role",
            "clerk",
            "--email",
            "c@example.com",
            "--password",
            PASSWORD,
            "--station",
            "XX",
        ]
    )
    assert result.exit_code == 1 and _users(db_session) == 0


def test_a_shipper_without_a_company_is_a_usage_error(runner, db_session, seeded):
    result = runner.invoke(
        args=[
            "dryport",
            "create-user",
            "--role",
            "shipper",
            "--email",
            "s@example.com",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 2 and "--company" in result.output
    assert _users(db_session) == 0


def test_demo_command_prints_sign_ins_and_refuses_a_second_load(runner, db_session):
    result = runner.invoke(args=["dryport", "demo"])
    assert result.exit_code == 0, result.output
    assert "operator@dryport.example" in result.output and "dryport-demo" in result.output
    users = db_session.scalar(select(func.count()).select_from(User))
    again = runner.invoke(args=["dryport", "demo"])
    assert again.exit_code != 0 and "already" in again.output
    quiet = runner.invoke(args=["dryport", "demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not added" in quiet.output
    assert "clerk.zp@dryport.example" in quiet.output  # the sign-ins, as a reminder
    assert db_session.scalar(select(func.count()).select_from(User)) == users
