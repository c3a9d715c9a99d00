"""Every actor is authenticated: the CLI asks for a password for ``ask`` as for ``approve``; a conversation
belongs to its user; the users file is read again when it changes; sign-in is throttled per name and address
and answers an unknown name as it answers a wrong password; bad input is refused with a message."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import bcrypt
import pytest
import yaml
from agent_helpers import cli

from copilot.identity import AppSessions, SecretKind
from copilot.identity.sessions import HANDOFF_S, SESSION_HOURS
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


def sessions_on(location, key: bytes = b"audit key outside the data folder") -> AppSessions:
    return AppSessions(location, key=key)


def test_a_session_signs_in_by_its_page_secret_or_its_cookie_until_it_is_ended(tmp_path):
    sessions = sessions_on(tmp_path / "state.sqlite")
    users = UserDirectory.load(USERS)
    opened = sessions.open("sam")
    assert sessions.holder(opened.page_secret, users, kind=SecretKind.page).username == "sam"
    assert sessions.holder(opened.handoff_code, users, kind=SecretKind.cookie) is None  # a code is no cookie
    cookie, lifetime_s = sessions.cookie_for(opened.handoff_code)
    assert 0 < lifetime_s <= SESSION_HOURS * 3600
    assert sessions.cookie_for(opened.handoff_code) is None  # a handoff code works once
    assert sessions.holder(cookie, users, kind=SecretKind.cookie).username == "sam"
    assert sessions.holder(cookie, users, kind=SecretKind.page) is None
    copied = cookie  # e.g. taken from the browser before signing out
    sessions.end(opened.page_secret)
    assert sessions.holder(copied, users, kind=SecretKind.cookie) is None
    assert sessions.holder(opened.page_secret, users, kind=SecretKind.page) is None
    sessions.close()


def test_a_session_is_worthless_expired_forged_for_a_removed_user_or_a_service_account(tmp_path):
    db = tmp_path / "state.sqlite"
    sessions = sessions_on(db)
    users = UserDirectory.load(USERS)
    assert sessions.holder(sessions.open("sam", hours=0).page_secret, users, kind=SecretKind.page) is None
    assert sessions.holder(sessions.open("mallory").page_secret, users, kind=SecretKind.page) is None
    assert users.find("monitor") is not None  # the account exists; it only never signs in
    monitor = sessions.open("monitor")
    assert sessions.holder(monitor.page_secret, users, kind=SecretKind.page) is None
    assert sessions.cookie_for("not a code") is None and sessions.holder(None, users, kind=SecretKind.page) is None
    late = sessions.open("ada")
    with sqlite3.connect(db) as raw:  # a handoff code older than its minute
        raw.execute("UPDATE app_session_secrets SET made_at = made_at - ?", (HANDOFF_S + 1,))
    assert sessions.cookie_for(late.handoff_code) is None
    # whoever can write the database, without the key, makes rows that sign no one in
    forged = "chosen-by-the-attacker"
    with sqlite3.connect(db) as raw:
        raw.execute("INSERT INTO app_sessions VALUES ('forged', 'ada', 0, 9e18, NULL)")
        raw.execute("INSERT INTO app_session_secrets VALUES (?, 'forged', 'cookie', 0, NULL)",
                    (hashlib.sha256(forged.encode()).hexdigest(),))
        stored = " ".join(str(v) for row in raw.execute("SELECT * FROM app_session_secrets") for v in row)
    assert sessions.holder(forged, users, kind=SecretKind.cookie) is None
    assert late.page_secret not in stored and late.handoff_code not in stored  # digests only
    other_key = sessions_on(db, key=b"another key")
    assert other_key.holder(late.page_secret, users, kind=SecretKind.page) is None
    other_key.close()
    sessions.close()


def test_replicas_on_one_database_share_sessions_and_their_ending(tmp_path, database):
    users = UserDirectory.load(USERS)
    where = database.location(tmp_path / "state.sqlite")
    first, second = sessions_on(where), sessions_on(where)
    opened = first.open("eli")
    cookie, _ = second.cookie_for(opened.handoff_code)
    assert first.holder(cookie, users, kind=SecretKind.cookie).username == "eli"
    second.end(cookie)
    assert first.holder(opened.page_secret, users, kind=SecretKind.page) is None
    first.close()
    second.close()


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
