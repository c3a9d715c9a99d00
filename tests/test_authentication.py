"""Every actor is authenticated: the CLI asks for a password for ``ask`` as for ``approve``; a conversation
belongs to its user; the users file is read again when it changes; sign-in is throttled per name and address
and answers an unknown name as it answers a wrong password; bad input is refused with a message."""

from __future__ import annotations

import json
import sqlite3

import bcrypt
import pytest
import yaml
from agent_helpers import cli

from copilot.identity import session_tokens
from copilot.identity.signin import FREE_TRIES, SignIn, SignInRefused
from copilot.identity.users import UserDirectory, UsersFile, UsersFileError
from copilot.settings import CopilotSettings
from policies.model import Role

USERS = CopilotSettings().users_file


def requests_in(data_dir) -> list[str]:
    with sqlite3.connect(data_dir / "audit.sqlite") as db:
        bodies = db.execute("SELECT body FROM audit WHERE kind = 'request'")
        return [json.loads(b)["arguments"]["text"] for (b,) in bodies]


@pytest.fixture
def script_file(tmp_path):
    path = tmp_path / "script.json"
    path.write_text(json.dumps([{"content": "All machines run."}, {"content": "Still running."}]))
    return path


def test_ask_without_the_password_is_refused_and_nothing_is_asked(sim, tmp_path, script_file):
    data = tmp_path / "data"
    no_password = cli(sim, data, script_file, "ask", "how is the plant?", "--user", "eli")
    assert no_password.returncode != 0 and "All machines run." not in no_password.stdout
    wrong = cli(sim, data, script_file, "ask", "how is the plant?", "--user", "eli", password="guess")
    assert wrong.returncode != 0 and "wrong user name or password" in wrong.stderr
    unknown = cli(sim, data, script_file, "ask", "how is the plant?", "--user", "mallory", password="guess")
    assert "wrong user name or password" in unknown.stderr and "olga" not in unknown.stderr  # no list of names
    assert not (data / "audit.sqlite").exists() or requests_in(data) == []
    right = cli(sim, data, script_file, "ask", "how is the plant?", "--user", "eli", password="eli-demo")
    assert right.returncode == 0, right.stderr
    assert "All machines run." in right.stdout and requests_in(data) == ["how is the plant?"]


def test_a_conversation_belongs_to_its_user(sim, tmp_path, script_file):
    data = tmp_path / "data"
    mine = cli(sim, data, script_file, "ask", "how is the plant?", "--user", "olga", "--thread", "t-olga",
               password="olga-demo")
    assert mine.returncode == 0, mine.stderr
    theirs = cli(sim, data, script_file, "ask", "and now?", "--user", "omar", "--thread", "t-olga",
                 password="omar-demo")
    assert theirs.returncode == 1 and "another user's" in theirs.stderr
    assert requests_in(data) == ["how is the plant?"]


def test_a_question_with_stray_bytes_is_taken_and_one_too_long_is_refused(sim, tmp_path, script_file):
    data = tmp_path / "data"
    stray = cli(sim, data, script_file, "ask", "how is P-101 \udcff doing?", "--user", "olga", password="olga-demo")
    assert stray.returncode == 0, stray.stderr
    too_long = cli(sim, data, script_file, "ask", "x" * 5000, "--user", "olga", password="olga-demo")
    assert too_long.returncode == 1 and "at most 4000" in too_long.stderr
    assert requests_in(data) == ["how is P-101 ? doing?"]


def test_sign_in_is_throttled_per_name_and_per_address(tmp_path):
    signin = SignIn(UsersFile(USERS), tmp_path / "state.sqlite")
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInRefused, match="wrong user name or password"):
            signin.check("sam", "guess", address="10.0.0.7")
    with pytest.raises(SignInRefused, match="too many failed sign-ins"):  # even the right password waits now
        signin.check("sam", "sam-demo", address="10.0.0.8")
    with pytest.raises(SignInRefused, match="too many failed sign-ins"):  # and so does that address, for anyone
        signin.check("sara", "sara-demo", address="10.0.0.7")
    assert signin.check("sara", "sara-demo", address="10.0.0.9").username == "sara"
    signin.close()
    again = SignIn(UsersFile(USERS), tmp_path / "state.sqlite")  # the count survives a new process (the CLI)
    with pytest.raises(SignInRefused, match="too many"):
        again.check("sam", "sam-demo", address="cli:x")
    again.close()


def test_an_unknown_name_costs_a_password_check_like_a_known_one(monkeypatch):
    checks = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda password, hashed: checks.append(1) or real(password, hashed))
    users = UserDirectory.load(USERS)
    assert users.authenticate("mallory", "x") is None and users.authenticate("sam", "x") is None
    assert len(checks) == 2


def test_the_users_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "users.yaml"
    raw = yaml.safe_load(USERS.read_text())
    path.write_text(yaml.safe_dump(raw))
    users = UsersFile(path)
    assert users.current().find("sam").role is Role.supervisor
    raw["users"]["sam"]["role"] = "operator"  # demoted
    del raw["users"]["sara"]  # left the plant
    path.write_text(yaml.safe_dump(raw) + "\n")
    assert users.current().find("sam").role is Role.operator and users.current().find("sara") is None


@pytest.mark.parametrize(("text", "message"), [
    ("users: [olga]", "needs a 'users:' mapping"),
    ("users:\n  olga: {display_name: Olga, role: foreman, password_hash: x}", "user 'olga': role"),
    ("users: {olga: {role: operator", "users file"),
])
def test_a_bad_users_file_names_the_file_and_the_field(tmp_path, text, message):
    path = tmp_path / "users.yaml"
    path.write_text(text)
    with pytest.raises(UsersFileError, match=message) as caught:
        UserDirectory.load(path)
    assert str(path) in str(caught.value)


def test_a_session_token_is_worthless_tampered_expired_or_for_a_removed_user(tmp_path):
    key = session_tokens.session_key(None, tmp_path)
    assert (tmp_path / "session.key").stat().st_mode & 0o777 == 0o600
    users = UserDirectory.load(USERS)
    token = session_tokens.issue(key, "sam")
    assert session_tokens.holder(key, token, users).username == "sam"
    payload, signature = token.split(".")
    forged = session_tokens.issue(b"another key", "ada")
    assert session_tokens.holder(key, forged, users) is None
    assert session_tokens.holder(key, f"{forged.split('.')[0]}.{signature}", users) is None
    assert session_tokens.holder(key, session_tokens.issue(key, "sam", now=0), users) is None  # expired
    assert session_tokens.holder(key, session_tokens.issue(key, "mallory"), users) is None
    assert session_tokens.holder(key, None, users) is None and session_tokens.holder(key, "x.y", users) is None


def test_a_session_token_for_the_monitor_service_account_signs_no_one_in(tmp_path):
    key = session_tokens.session_key(None, tmp_path)
    users = UserDirectory.load(USERS)
    assert users.find("monitor") is not None  # the account exists; it only never signs in
    assert session_tokens.holder(key, session_tokens.issue(key, "monitor"), users) is None


def test_replicas_on_a_shared_database_must_be_given_one_session_key(tmp_path):
    with pytest.raises(session_tokens.SessionKeyMissing, match="COPILOT_SESSION_KEY"):
        session_tokens.session_key(None, tmp_path, database_url="postgresql://copilot@127.0.0.1/plant")
    assert not (tmp_path / "session.key").exists()  # no key of its own that the other replicas lack
    key = session_tokens.session_key("shared", tmp_path, database_url="postgresql://copilot@127.0.0.1/plant")
    assert key == b"shared"


def test_sign_in_failures_are_counted_together_on_either_database(tmp_path, database):
    signin = SignIn(UsersFile(USERS), database.location(tmp_path / "state.sqlite"))
    again = SignIn(UsersFile(USERS), database.location(tmp_path / "state.sqlite"))  # another replica
    for attempt in range(FREE_TRIES):
        with pytest.raises(SignInRefused, match="wrong user name or password"):
            (signin if attempt % 2 else again).check("sam", "nope", address=f"10.0.0.{attempt}")
    with pytest.raises(SignInRefused, match="too many failed sign-ins"):
        again.check("sam", "sam-demo", address="10.0.0.99")
    signin.close()
    again.close()
