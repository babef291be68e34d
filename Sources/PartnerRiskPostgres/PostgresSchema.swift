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
        // Campaigns and their outbox (claims name the send run; a thank-you names its response, once),
        // and responses: immutable revisions, one per answers saved at one time per invitation.
        ("v5-campaigns-outbox-and-responses", [
            """
            CREATE TABLE campaign (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL,
                survey_version_id BIGINT NOT NULL REFERENCES survey_version (id),
                deadline TEXT NOT NULL,
                sender TEXT NOT NULL,
                selector TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'survey',
                status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
                created_at TEXT NOT NULL,
                closed_at TEXT
            )
            """,
            """
            CREATE TABLE invitation (
                id BIGSERIAL PRIMARY KEY,
                campaign_id BIGINT NOT NULL REFERENCES campaign (id),
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                survey_version_id BIGINT NOT NULL REFERENCES survey_version (id),
                reminders_sent INTEGER NOT NULL DEFAULT 0,
                last_mailed_at TEXT,
                created_at TEXT NOT NULL,
                token_generation INTEGER NOT NULL DEFAULT 1,
                UNIQUE (campaign_id, partner_id)
            )
            """,
            "CREATE INDEX invitation_partner ON invitation (partner_id)",
            """
            CREATE TABLE invitation_token (
                token_hash TEXT PRIMARY KEY,
                invitation_id BIGINT NOT NULL REFERENCES invitation (id),
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX invitation_token_invitation ON invitation_token (invitation_id)",
            "CREATE TABLE send_run (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)",
            """
            CREATE TABLE response (
                id BIGSERIAL PRIMARY KEY,
                invitation_id BIGINT NOT NULL REFERENCES invitation (id),
                revision INTEGER NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('web', 'file', 'imap', 'demo')),
                source TEXT,
                complete BOOLEAN NOT NULL,
                missing TEXT NOT NULL DEFAULT '[]',
                checksum TEXT NOT NULL,
                received_at TEXT NOT NULL,
                answers_json TEXT,
                saved_at TEXT NOT NULL,
                UNIQUE (invitation_id, revision),
                UNIQUE (invitation_id, checksum, saved_at)
            )
            """,
            "CREATE TRIGGER response_append_only BEFORE UPDATE OR DELETE ON response FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            // The answers one per row, for an officer's or a script's queries (as SQLite's view).
            """
            CREATE VIEW answer AS
                SELECT r.id AS response_id, a.key AS question_id, a.value::text AS value
                FROM response r CROSS JOIN LATERAL jsonb_each(r.answers_json::jsonb) a
            """,
            """
            CREATE TABLE mail_message (
                id BIGSERIAL PRIMARY KEY,
                invitation_id BIGINT REFERENCES invitation (id),
                kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank-you')),
                recipient TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'uncertain')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                last_reply TEXT,
                message_id TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                sent_at TEXT,
                response_id BIGINT UNIQUE REFERENCES response (id),
                claimed_by TEXT
            )
            """,
            "CREATE INDEX mail_message_state ON mail_message (state, next_attempt_at)",
            "CREATE INDEX mail_message_invitation ON mail_message (invitation_id)",
            """
            CREATE TABLE mail_attempt (
                id BIGSERIAL PRIMARY KEY,
                mail_message_id BIGINT NOT NULL REFERENCES mail_message (id),
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                reply TEXT,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX mail_attempt_message ON mail_attempt (mail_message_id)",
            """
            CREATE TABLE rejected_input (
                id BIGSERIAL PRIMARY KEY,
                channel TEXT NOT NULL,
                source TEXT NOT NULL,
                reason TEXT NOT NULL,
                quarantine_path TEXT,
                received_at TEXT NOT NULL
            )
            """,
        ]),
        // Sanctions screening: every imported version of every list kept whole, and the hits found,
        // open until an officer confirms or clears them (never deleted).
        ("v6-sanctions-screening", [
            """
            CREATE TABLE screening_list_version (
                id BIGSERIAL PRIMARY KEY,
                list TEXT NOT NULL,
                format TEXT NOT NULL,
                list_date TEXT,
                source_file TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                entries INTEGER NOT NULL,
                imported_at TEXT NOT NULL,
                actor TEXT NOT NULL
            )
            """,
            "CREATE INDEX screening_list_version_list ON screening_list_version (list, id)",
            """
            CREATE TABLE screening_entry (
                id BIGSERIAL PRIMARY KEY,
                version_id BIGINT NOT NULL REFERENCES screening_list_version (id),
                entry_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                names TEXT NOT NULL,
                program TEXT NOT NULL DEFAULT '',
                listed_on TEXT,
                details TEXT NOT NULL DEFAULT '',
                content_sha256 TEXT NOT NULL,
                UNIQUE (version_id, entry_key)
            )
            """,
            "CREATE INDEX screening_entry_key ON screening_entry (entry_key, version_id)",
            """
            CREATE TABLE screening_hit (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                list TEXT NOT NULL,
                entry_key TEXT NOT NULL,
                entry_sha256 TEXT NOT NULL,
                screened_name TEXT NOT NULL,
                screened_as TEXT NOT NULL,
                matched_name TEXT NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'cleared')),
                found_at TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                note TEXT NOT NULL DEFAULT '',
                UNIQUE (partner_id, list, entry_key, screened_name)
            )
            """,
            "CREATE TRIGGER screening_list_version_append_only BEFORE UPDATE OR DELETE ON screening_list_version FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            "CREATE TRIGGER screening_entry_append_only BEFORE UPDATE OR DELETE ON screening_entry FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            "CREATE TRIGGER screening_hit_no_delete BEFORE DELETE ON screening_hit FOR EACH ROW EXECUTE FUNCTION refuse_delete()",
        ]),
        // The web form's drafts, evidence from every channel (a reply's document has no question
        // until the officer assigns it), and what `serve`'s background jobs remember across
        // restarts (the primary key makes "each reminder offset once" hold for any number of instances).
        ("v7-drafts-evidence-and-service-schedule", [
            """
            CREATE TABLE draft (
                invitation_id BIGINT PRIMARY KEY REFERENCES invitation (id),
                answers TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE evidence (
                id BIGSERIAL PRIMARY KEY,
                invitation_id BIGINT NOT NULL REFERENCES invitation (id),
                question_id TEXT,
                sha256 TEXT NOT NULL,
                original_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size BIGINT NOT NULL,
                uploaded_at TEXT NOT NULL,
                channel TEXT NOT NULL DEFAULT 'web',
                source TEXT
            )
            """,
            "CREATE INDEX evidence_invitation ON evidence (invitation_id, question_id)",
            // The same content for the same question (or unassigned) of an invitation is kept once.
            "CREATE UNIQUE INDEX evidence_once ON evidence (invitation_id, coalesce(question_id, ''), sha256)",
            """
            CREATE TABLE service_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE reminder_offset (
                invitation_id BIGINT NOT NULL REFERENCES invitation (id),
                offset_days INTEGER NOT NULL,
                reminded BOOLEAN NOT NULL,
                recorded_at TEXT NOT NULL,
                PRIMARY KEY (invitation_id, offset_days)
            )
            """,
        ]),
        // Scores (history: a rescore adds rows), the explanation sentences stored once, the newest
        // score of each partner in ranking order, and the officer's decisions that scores rest on
        // (memberships verified, evidence reviewed, red-flag explanations accepted, flags raised,
        // sign-offs), each kept with who and when.
        ("v8-scores-and-officer-decisions", [
            """
            CREATE TABLE scoring_config_version (
                id BIGSERIAL PRIMARY KEY,
                config_id TEXT NOT NULL,
                version TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                country_list_date TEXT NOT NULL,
                country_list_hash TEXT NOT NULL,
                country_list TEXT NOT NULL,
                registered_at TEXT NOT NULL,
                UNIQUE (config_id, version, country_list_hash)
            )
            """,
            "CREATE TRIGGER scoring_config_version_append_only BEFORE UPDATE OR DELETE ON scoring_config_version FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            """
            CREATE TABLE explanation_text (
                id BIGSERIAL PRIMARY KEY,
                en TEXT NOT NULL,
                fr TEXT NOT NULL,
                UNIQUE (en, fr)
            )
            """,
            "CREATE TRIGGER explanation_text_append_only BEFORE UPDATE OR DELETE ON explanation_text FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            """
            CREATE TABLE score (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                invitation_id BIGINT REFERENCES invitation (id),
                response_id BIGINT REFERENCES response (id),
                survey_version_id BIGINT REFERENCES survey_version (id),
                scoring_config_version_id BIGINT REFERENCES scoring_config_version (id),
                overall_risk DOUBLE PRECISION NOT NULL,
                base_risk DOUBLE PRECISION NOT NULL,
                country_multiplier DOUBLE PRECISION NOT NULL,
                tier TEXT NOT NULL,
                knockout BOOLEAN NOT NULL,
                non_response BOOLEAN NOT NULL DEFAULT false,
                explanation TEXT NOT NULL,
                computed_at TEXT NOT NULL,
                worst_categories TEXT NOT NULL DEFAULT '',
                flag_count INTEGER NOT NULL DEFAULT 0,
                headline TEXT NOT NULL DEFAULT '',
                categories TEXT
            )
            """,
            "CREATE INDEX score_partner ON score (partner_id, id)",
            "CREATE INDEX score_response ON score (response_id)",
            "CREATE TRIGGER score_append_only BEFORE UPDATE OR DELETE ON score FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            // A score's flags, one per row, for an officer's or a script's queries (as SQLite's view).
            """
            CREATE VIEW score_flag AS
                SELECT s.id AS score_id, f.value ->> 'kind' AS kind, f.value ->> 'code' AS code,
                       COALESCE(t.en, f.value -> 'text' ->> 'en') AS message
                FROM score s CROSS JOIN LATERAL jsonb_array_elements(s.explanation::jsonb) f
                LEFT JOIN explanation_text t ON t.id = (f.value ->> 't')::bigint
                WHERE f.value ->> 'kind' <> 'loss'
            """,
            """
            CREATE TABLE current_score (
                partner_id BIGINT PRIMARY KEY REFERENCES partner (id),
                active BOOLEAN NOT NULL,
                score_id BIGINT NOT NULL REFERENCES score (id),
                response_id BIGINT,
                overall_risk DOUBLE PRECISION NOT NULL,
                base_risk DOUBLE PRECISION NOT NULL,
                country_multiplier DOUBLE PRECISION NOT NULL,
                tier TEXT NOT NULL,
                knockout BOOLEAN NOT NULL,
                non_response BOOLEAN NOT NULL,
                computed_at TEXT NOT NULL,
                worst_categories TEXT NOT NULL,
                flag_count INTEGER NOT NULL,
                headline TEXT NOT NULL,
                reviewed_at TEXT,
                headline_text_id BIGINT REFERENCES explanation_text (id)
            )
            """,
            "CREATE INDEX current_score_risk ON current_score (active, overall_risk DESC)",
            // A partner deactivated or suspended leaves the ranking in the same statement.
            """
            CREATE FUNCTION current_score_follows_partner() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.active IS DISTINCT FROM OLD.active THEN
                    UPDATE current_score SET active = NEW.active WHERE partner_id = NEW.id;
                END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER partner_active_in_ranking AFTER UPDATE OF active ON partner FOR EACH ROW EXECUTE FUNCTION current_score_follows_partner()",
            """
            CREATE TABLE membership_verification (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                program TEXT NOT NULL,
                number TEXT NOT NULL DEFAULT '',
                expires TEXT,
                verified BOOLEAN NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX membership_partner ON membership_verification (partner_id, program, id)",
            """
            CREATE TABLE evidence_review (
                id BIGSERIAL PRIMARY KEY,
                evidence_id BIGINT NOT NULL REFERENCES evidence (id),
                status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'falsified')),
                reason TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX evidence_review_file ON evidence_review (evidence_id, id)",
            """
            CREATE TABLE flag_acceptance (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                response_id BIGINT NOT NULL REFERENCES response (id),
                code TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL,
                UNIQUE (response_id, code)
            )
            """,
            "CREATE TRIGGER membership_verification_append_only BEFORE UPDATE OR DELETE ON membership_verification FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            "CREATE TRIGGER evidence_review_append_only BEFORE UPDATE OR DELETE ON evidence_review FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            "CREATE TRIGGER flag_acceptance_append_only BEFORE UPDATE OR DELETE ON flag_acceptance FOR EACH ROW EXECUTE FUNCTION refuse_change()",
            """
            CREATE TABLE partner_flag (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                reason TEXT NOT NULL,
                raised_by TEXT NOT NULL,
                raised_at TEXT NOT NULL,
                cleared_at TEXT
            )
            """,
            "CREATE INDEX partner_flag_partner ON partner_flag (partner_id)",
            "CREATE TRIGGER partner_flag_no_delete BEFORE DELETE ON partner_flag FOR EACH ROW EXECUTE FUNCTION refuse_delete()",
            """
            CREATE TABLE review_sign_off (
                id BIGSERIAL PRIMARY KEY,
                partner_id BIGINT NOT NULL REFERENCES partner (id),
                decision TEXT NOT NULL,
                note TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX review_sign_off_partner ON review_sign_off (partner_id, id)",
            "CREATE TRIGGER review_sign_off_append_only BEFORE UPDATE OR DELETE ON review_sign_off FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        ]),
        // Failed attempts (guessed links, refused sign-ins) by key, counted the same by every
        // instance behind a load balancer; old rows are deleted as new ones come.
        ("v9-failed-attempts", [
            "CREATE TABLE failed_attempt (id BIGSERIAL PRIMARY KEY, key TEXT NOT NULL, at TEXT NOT NULL)",
            "CREATE INDEX failed_attempt_key ON failed_attempt (key, at)",
            "CREATE INDEX failed_attempt_at ON failed_attempt (at)",
        ]),
        // The large texts written with every answer and score (the answers as JSON, the explanation)
        // compressed with lz4 rather than pglz: 15% less work for the server in an import
        // (bench-pg). A server built without lz4 keeps pglz.
        ("v10-lz4-for-answers-and-explanations", [
            """
            DO $$ BEGIN
                ALTER TABLE response ALTER COLUMN answers_json SET COMPRESSION lz4;
                ALTER TABLE score ALTER COLUMN explanation SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$
            """,
        ]),
    ]

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory lock
    /// so that two processes starting at once do not both apply one.
    static func migrate(_ connections: PostgresConnections, at time: Date) throws {
        // Under the lock too: two `CREATE TABLE IF NOT EXISTS` at once can both try to create it.
        try connections.transaction { session in
            try session.query("SELECT pg_advisory_xact_lock(7358246)")
            try session.query("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        }
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
