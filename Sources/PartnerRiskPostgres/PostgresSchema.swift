import Foundation
import PartnerRiskCore
import PostgresNIO

/// Every schema change of the PostgreSQL store, in order, each a list of statements (the
/// extended protocol takes one statement at a time). The logical schema is the SQLite store's:
/// the same tables and columns, timestamps as ISO 8601 text, append-only tables kept so by
/// triggers. A migration once shipped is never edited: add a new one.
enum PostgresSchema {
    static let migrations: [(name: String, statements: [PostgresQuery])] = [
        ("v1-partners-and-audit", [
            """
            CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
            """,
            """
            CREATE TABLE partner (
                id BIGSERIAL PRIMARY KEY,
                external_id TEXT UNIQUE,
                name TEXT NOT NULL,
                email TEXT NOT NULL,
                country TEXT NOT NULL CHECK (length(country) = 2),
                sector TEXT NOT NULL,
                contact_name TEXT,
                language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
                tags TEXT NOT NULL DEFAULT '',
                trusted_trader TEXT,
                active BOOLEAN NOT NULL DEFAULT true,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                aliases TEXT NOT NULL DEFAULT ''
            )
            """,
            "CREATE UNIQUE INDEX partner_email ON partner (lower(email))",
            "CREATE INDEX partner_sector ON partner (sector)",
            "CREATE INDEX partner_country ON partner (country)",
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            )
            """,
            "CREATE INDEX audit_log_subject ON audit_log (subject, id)",
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        ]),
        ("v2-survey-versions", [
            """
            CREATE TABLE survey_version (
                id BIGSERIAL PRIMARY KEY,
                survey_id TEXT NOT NULL,
                version TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'full',
                title TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                registered_at TEXT NOT NULL,
                UNIQUE (survey_id, version)
            )
            """,
            // A stored version never changes: its campaigns and answers are pinned to its content.
            "CREATE TRIGGER survey_version_append_only BEFORE UPDATE OR DELETE ON survey_version FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        ]),
        ("v3-officer-accounts", [
            """
            CREATE TABLE officer_account (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('officer', 'viewer')),
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                disabled_at TEXT
            )
            """,
            // Names compare without case, as in SQLite (`COLLATE NOCASE`).
            "CREATE UNIQUE INDEX officer_account_lower_name ON officer_account (lower(name))",
            """
            CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME; END $$
            """,
            "CREATE TRIGGER officer_account_no_delete BEFORE DELETE ON officer_account FOR EACH ROW EXECUTE FUNCTION refuse_delete()",
            """
            CREATE TABLE officer_session (
                token_sha256 TEXT PRIMARY KEY,
                officer TEXT NOT NULL REFERENCES officer_account(name),
                csrf TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                ended_at TEXT,
                end_reason TEXT
            )
            """,
            "CREATE INDEX officer_session_officer ON officer_session (lower(officer))",
        ]),
        ("v4-mailbox-ledger-and-corrective-actions", [
            """
            CREATE TABLE imap_seen (
                mailbox TEXT NOT NULL,
                uid_validity BIGINT NOT NULL,
                uid BIGINT NOT NULL,
                message_id TEXT,
                outcome TEXT NOT NULL,
                processed_at TEXT NOT NULL,
                content_sha256 TEXT,
                PRIMARY KEY (mailbox, uid_validity, uid)
            )
            """,
            "CREATE INDEX imap_seen_message_id ON imap_seen (message_id)",
            """
            CREATE TABLE corrective_action (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner(id),
                finding TEXT NOT NULL,
                due TEXT NOT NULL,
                owner TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                closed_by TEXT,
                closed_at TEXT,
                close_note TEXT,
                close_evidence TEXT,
                close_evidence_sha256 TEXT
            )
            """,
            "CREATE INDEX corrective_action_partner ON corrective_action (partner_id, id)",
            "CREATE TRIGGER corrective_action_no_delete BEFORE DELETE ON corrective_action FOR EACH ROW EXECUTE FUNCTION refuse_delete()",
            """
            CREATE FUNCTION refuse_reclose() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.closed_at IS NOT NULL THEN RAISE EXCEPTION 'a closed corrective action is history'; END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER corrective_action_closed_once BEFORE UPDATE ON corrective_action FOR EACH ROW EXECUTE FUNCTION refuse_reclose()",
        ]),
    ]

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory lock
    /// so that two processes starting at once do not both apply one.
    static func migrate(_ connections: PostgresConnections, at time: Date) throws {
        try connections.query("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for migration in migrations {
            try connections.transaction { session in
                try session.query("SELECT pg_advisory_xact_lock(7358246)")  // PartnerRisk's migration lock
                let done = try session.query("SELECT 1 FROM schema_migration WHERE name = \(migration.name)")
                guard done.isEmpty else { return }
                for statement in migration.statements { try session.query(statement) }
                try session.query("INSERT INTO schema_migration (name, applied_at) VALUES (\(migration.name), \(DayFormat.timestamp(time)))")
            }
        }
    }
}
