namespace Gatehouse.Server.Storage.Relational;

/// The schema's history: one ordered list, each version written for both engines side by side, so an
/// existing data directory (SQLite) or database (PostgreSQL) upgrades in place and loses nothing.
/// Append new versions; never edit a released one. SQLite keeps times as Unix milliseconds and flags
/// as 0/1 integers; PostgreSQL keeps timestamptz, and the same integers so the stores' SQL is shared.
internal static class Migrations
{
    public sealed record Migration(int Version, string Sqlite, string Postgres);

    public static int Latest => All[^1].Version;

    public static readonly Migration[] All =
    [
        new(1,
            Sqlite: """
                CREATE TABLE clients (
                    client_id     TEXT PRIMARY KEY,
                    name          TEXT NOT NULL,
                    scopes        TEXT NOT NULL,
                    audiences     TEXT NOT NULL,
                    grant_types   TEXT NOT NULL,
                    redirect_uris TEXT NOT NULL,
                    auth_method   TEXT NOT NULL,
                    rate_limit    INTEGER,
                    tokens_revoked_before_us INTEGER,
                    created_at    INTEGER NOT NULL,
                    updated_at    INTEGER);
                CREATE TABLE client_secrets (
                    secret_id    TEXT PRIMARY KEY,
                    client_id    TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    hash         BLOB NOT NULL,
                    created_at   INTEGER NOT NULL,
                    last_used_at INTEGER,
                    revoked_at   INTEGER);
                CREATE INDEX client_secrets_by_client ON client_secrets(client_id);
                CREATE TABLE signing_keys (
                    kid          TEXT PRIMARY KEY,
                    alg          TEXT NOT NULL,
                    private_key  BLOB NOT NULL,
                    created_at   INTEGER NOT NULL,
                    activates_at INTEGER NOT NULL,
                    revoked_at   INTEGER);
                -- Single tokens (jti) and client-wide cut-offs, in feed order; a row goes once expires_at passes.
                CREATE TABLE revocations (
                    sequence          INTEGER PRIMARY KEY AUTOINCREMENT,
                    client_id         TEXT NOT NULL,
                    jti               TEXT UNIQUE,
                    revoked_before_us INTEGER,
                    expires_at        INTEGER NOT NULL,
                    revoked_at        INTEGER NOT NULL);
                CREATE INDEX revocations_by_expiry ON revocations(expires_at);
                CREATE TABLE audit_log (
                    id             INTEGER PRIMARY KEY AUTOINCREMENT,
                    at             INTEGER NOT NULL,
                    actor          TEXT NOT NULL,
                    action         TEXT NOT NULL,
                    target         TEXT NOT NULL,
                    source_address TEXT,
                    details        TEXT);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TABLE changes (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind     TEXT NOT NULL,
                    id       TEXT NOT NULL,
                    at       INTEGER NOT NULL);
                """,
            Postgres: """
                CREATE TABLE clients (
                    client_id     text PRIMARY KEY,
                    name          text NOT NULL,
                    scopes        text NOT NULL,
                    audiences     text NOT NULL,
                    grant_types   text NOT NULL,
                    redirect_uris text NOT NULL,
                    auth_method   text NOT NULL,
                    rate_limit    integer,
                    tokens_revoked_before_us bigint,
                    created_at    timestamptz NOT NULL,
                    updated_at    timestamptz);
                CREATE TABLE client_secrets (
                    secret_id    text PRIMARY KEY,
                    client_id    text NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
                    hash         bytea NOT NULL,
                    created_at   timestamptz NOT NULL,
                    last_used_at timestamptz,
                    revoked_at   timestamptz);
                CREATE INDEX client_secrets_by_client ON client_secrets(client_id);
                CREATE TABLE signing_keys (
                    kid          text PRIMARY KEY,
                    alg          text NOT NULL,
                    private_key  bytea NOT NULL,
                    created_at   timestamptz NOT NULL,
                    activates_at timestamptz NOT NULL,
                    revoked_at   timestamptz);
                -- Single tokens (jti) and client-wide cut-offs, in feed order; a row goes once expires_at passes.
                CREATE TABLE revocations (
                    sequence          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    client_id         text NOT NULL,
                    jti               text UNIQUE,
                    revoked_before_us bigint,
                    expires_at        timestamptz NOT NULL,
                    revoked_at        timestamptz NOT NULL);
                CREATE INDEX revocations_by_expiry ON revocations(expires_at);
                CREATE TABLE audit_log (
                    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at             timestamptz NOT NULL,
                    actor          text NOT NULL,
                    action         text NOT NULL,
                    target         text NOT NULL,
                    source_address text,
                    details        text);
                CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
                CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
                    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
                CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
                CREATE TABLE changes (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    kind     text NOT NULL,
                    id       text NOT NULL,
                    at       timestamptz NOT NULL);
                """),

        // Sign-in (SPEC 8) and the dashboard's teams (SPEC 9): people, their sessions and consents, the grants
        // a sign-in creates with their codes and refresh tokens, and the Data Protection key ring every node shares.
        new(2,
            Sqlite: """
                ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '';
                ALTER TABLE clients ADD COLUMN require_consent INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'ES256';
                ALTER TABLE clients ADD COLUMN team TEXT;
                ALTER TABLE clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE clients ADD COLUMN auth_method_explicit INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE users (
                    sub            TEXT PRIMARY KEY,
                    email          TEXT NOT NULL,
                    email_key      TEXT NOT NULL UNIQUE,
                    email_verified INTEGER NOT NULL,
                    name           TEXT NOT NULL,
                    given_name     TEXT,
                    family_name    TEXT,
                    companies      TEXT NOT NULL,
                    role           TEXT,
                    teams          TEXT NOT NULL,
                    password_hash  TEXT NOT NULL,
                    disabled       INTEGER NOT NULL,
                    created_at     INTEGER NOT NULL,
                    updated_at     INTEGER);
                -- A sub is never reused, even after its user is deleted.
                CREATE TABLE retired_subs (sub TEXT PRIMARY KEY);
                CREATE TABLE sessions (
                    handle_hash BLOB PRIMARY KEY,
                    sid         TEXT NOT NULL UNIQUE,
                    sub         TEXT NOT NULL,
                    auth_time   INTEGER NOT NULL,
                    amr         TEXT NOT NULL,
                    created_at  INTEGER NOT NULL,
                    expires_at  INTEGER NOT NULL,
                    ended_at    INTEGER);
                CREATE INDEX sessions_by_sub ON sessions(sub);
                CREATE TABLE consents (
                    sub        TEXT NOT NULL,
                    client_id  TEXT NOT NULL,
                    scopes     TEXT NOT NULL,
                    granted_at INTEGER NOT NULL,
                    PRIMARY KEY (sub, client_id));
                CREATE TABLE grants (
                    grant_id    TEXT PRIMARY KEY,
                    client_id   TEXT NOT NULL,
                    sub         TEXT NOT NULL,
                    scopes      TEXT NOT NULL,
                    audience    TEXT NOT NULL,
                    sid         TEXT,
                    auth_time   INTEGER NOT NULL,
                    amr         TEXT NOT NULL,
                    created_at  INTEGER NOT NULL,
                    expires_at  INTEGER NOT NULL,
                    revoked_at  INTEGER);
                CREATE INDEX grants_by_sub ON grants(sub);
                CREATE INDEX grants_by_client ON grants(client_id);
                -- Every access token a grant issued, so revoking the grant revokes them (through the revocation feed).
                CREATE TABLE grant_tokens (
                    jti        TEXT PRIMARY KEY,
                    grant_id   TEXT NOT NULL,
                    expires_at INTEGER NOT NULL);
                CREATE INDEX grant_tokens_by_grant ON grant_tokens(grant_id);
                CREATE TABLE authorization_codes (
                    code_hash      BLOB PRIMARY KEY,
                    grant_id       TEXT NOT NULL,
                    client_id      TEXT NOT NULL,
                    redirect_uri   TEXT NOT NULL,
                    code_challenge TEXT NOT NULL,
                    nonce          TEXT,
                    created_at     INTEGER NOT NULL,
                    expires_at     INTEGER NOT NULL,
                    consumed_at    INTEGER);
                CREATE TABLE refresh_tokens (
                    token_hash  BLOB PRIMARY KEY,
                    grant_id    TEXT NOT NULL,
                    client_id   TEXT NOT NULL,
                    created_at  INTEGER NOT NULL,
                    expires_at  INTEGER NOT NULL,
                    used_at     INTEGER);
                CREATE INDEX refresh_tokens_by_grant ON refresh_tokens(grant_id);
                -- Sign-in attempts in flight or failed, per account and per address (an attempt that succeeds is deleted).
                CREATE TABLE sign_in_failures (
                    throttle_key TEXT NOT NULL,
                    attempt_id   TEXT NOT NULL,
                    at           INTEGER NOT NULL);
                CREATE INDEX sign_in_failures_by_key ON sign_in_failures(throttle_key, at);
                CREATE TABLE data_protection_keys (
                    name TEXT PRIMARY KEY,
                    xml  TEXT NOT NULL);
                """,
            Postgres: """
                ALTER TABLE clients ADD COLUMN post_logout_redirect_uris text NOT NULL DEFAULT '';
                ALTER TABLE clients ADD COLUMN require_consent integer NOT NULL DEFAULT 1;
                ALTER TABLE clients ADD COLUMN id_token_alg text NOT NULL DEFAULT 'ES256';
                ALTER TABLE clients ADD COLUMN team text;
                ALTER TABLE clients ADD COLUMN resource_server integer NOT NULL DEFAULT 0;
                ALTER TABLE clients ADD COLUMN auth_method_explicit integer NOT NULL DEFAULT 0;
                CREATE TABLE users (
                    sub            text PRIMARY KEY,
                    email          text NOT NULL,
                    email_key      text NOT NULL UNIQUE,
                    email_verified integer NOT NULL,
                    name           text NOT NULL,
                    given_name     text,
                    family_name    text,
                    companies      text NOT NULL,
                    role           text,
                    teams          text NOT NULL,
                    password_hash  text NOT NULL,
                    disabled       integer NOT NULL,
                    created_at     timestamptz NOT NULL,
                    updated_at     timestamptz);
                CREATE TABLE retired_subs (sub text PRIMARY KEY);
                CREATE TABLE sessions (
                    handle_hash bytea PRIMARY KEY,
                    sid         text NOT NULL UNIQUE,
                    sub         text NOT NULL,
                    auth_time   timestamptz NOT NULL,
                    amr         text NOT NULL,
                    created_at  timestamptz NOT NULL,
                    expires_at  timestamptz NOT NULL,
                    ended_at    timestamptz);
                CREATE INDEX sessions_by_sub ON sessions(sub);
                CREATE TABLE consents (
                    sub        text NOT NULL,
                    client_id  text NOT NULL,
                    scopes     text NOT NULL,
                    granted_at timestamptz NOT NULL,
                    PRIMARY KEY (sub, client_id));
                CREATE TABLE grants (
                    grant_id    text PRIMARY KEY,
                    client_id   text NOT NULL,
                    sub         text NOT NULL,
                    scopes      text NOT NULL,
                    audience    text NOT NULL,
                    sid         text,
                    auth_time   timestamptz NOT NULL,
                    amr         text NOT NULL,
                    created_at  timestamptz NOT NULL,
                    expires_at  timestamptz NOT NULL,
                    revoked_at  timestamptz);
                CREATE INDEX grants_by_sub ON grants(sub);
                CREATE INDEX grants_by_client ON grants(client_id);
                CREATE TABLE grant_tokens (
                    jti        text PRIMARY KEY,
                    grant_id   text NOT NULL,
                    expires_at timestamptz NOT NULL);
                CREATE INDEX grant_tokens_by_grant ON grant_tokens(grant_id);
                CREATE TABLE authorization_codes (
                    code_hash      bytea PRIMARY KEY,
                    grant_id       text NOT NULL,
                    client_id      text NOT NULL,
                    redirect_uri   text NOT NULL,
                    code_challenge text NOT NULL,
                    nonce          text,
                    created_at     timestamptz NOT NULL,
                    expires_at     timestamptz NOT NULL,
                    consumed_at    timestamptz);
                CREATE TABLE refresh_tokens (
                    token_hash  bytea PRIMARY KEY,
                    grant_id    text NOT NULL,
                    client_id   text NOT NULL,
                    created_at  timestamptz NOT NULL,
                    expires_at  timestamptz NOT NULL,
                    used_at     timestamptz);
                CREATE INDEX refresh_tokens_by_grant ON refresh_tokens(grant_id);
                CREATE TABLE sign_in_failures (
                    throttle_key text NOT NULL,
                    attempt_id   text NOT NULL,
                    at           timestamptz NOT NULL);
                CREATE INDEX sign_in_failures_by_key ON sign_in_failures(throttle_key, at);
                CREATE TABLE data_protection_keys (
                    name text PRIMARY KEY,
                    xml  text NOT NULL);
                """),

        // The dashboard's usage charts (SPEC 9): token requests per client per minute, added to by every node.
        new(3,
            Sqlite: """
                CREATE TABLE token_usage (
                    client_id    TEXT NOT NULL,
                    minute       INTEGER NOT NULL,
                    issued       INTEGER NOT NULL DEFAULT 0,
                    rate_limited INTEGER NOT NULL DEFAULT 0,
                    failed       INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (client_id, minute));
                """,
            Postgres: """
                CREATE TABLE token_usage (
                    client_id    text NOT NULL,
                    minute       bigint NOT NULL,
                    issued       bigint NOT NULL DEFAULT 0,
                    rate_limited bigint NOT NULL DEFAULT 0,
                    failed       bigint NOT NULL DEFAULT 0,
                    PRIMARY KEY (client_id, minute));
                """),
    ];
}
