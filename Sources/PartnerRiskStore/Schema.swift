import GRDB
import PartnerRiskCore

/// Every schema change, in order. A migration once shipped is never edited: add a new one.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation", migrate: v1)
        migrator.registerMigration("v2-ranking-summary", migrate: v2)
        migrator.registerMigration("v3-response-answers-json", migrate: v3)
        migrator.registerMigration("v4-current-score", migrate: v4)
        migrator.registerMigration("v5-explanation-text", migrate: v5)
        migrator.registerMigration("v6-ranking-order", migrate: v6)
        migrator.registerMigration("v7-score-categories", migrate: v7)
        migrator.registerMigration("v8-one-copy-of-answers-and-flags", migrate: v8)
        migrator.registerMigration("v9-revisions-by-save-time", migrate: v9)
        migrator.registerMigration("v10-imap-content-digest", migrate: v10)
        migrator.registerMigration("v11-evidence-from-every-channel", migrate: v11)
        migrator.registerMigration("v12-thank-you-names-its-response", migrate: v12)
        migrator.registerMigration("v13-outbox-claims", migrate: v13)
        migrator.registerMigration("v14-one-link-per-invitation", migrate: v14)
        migrator.registerMigration("v15-officer-decisions", migrate: v15)
        migrator.registerMigration("v16-corrective-actions", migrate: v16)
        migrator.registerMigration("v17-sanctions-screening", migrate: v17)
        migrator.registerMigration("v18-partner-aliases", migrate: v18)
        migrator.registerMigration("v19-officer-accounts", migrate: v19)
        migrator.registerMigration("v20-audit-by-subject", migrate: v20)
        migrator.registerMigration("v21-service-schedule", migrate: v21)
        migrator.registerMigration("v22-failed-attempts", migrate: v22)
        return migrator
    }

    /// Failed attempts (guessed links, refused sign-ins) by key, so that every process on the
    /// database counts the same ones (`AttemptLedger`); old rows are deleted as new ones come.
    private static func v22(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE failed_attempt (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX failed_attempt_key ON failed_attempt(key, at);
            CREATE INDEX failed_attempt_at ON failed_attempt(at);
            """)
    }

    /// The audit trail read by subject (a partner's page shows its own): without an index each
    /// partner page read the whole trail, most of its cost with 100,000 partners.
    /// What `serve`'s background jobs remember across restarts: named values, and each reminder
    /// offset handled per invitation (the primary key makes "never twice" hold for any number of
    /// processes).
    private static func v21(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE service_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE reminder_offset (
                invitation_id INTEGER NOT NULL REFERENCES invitation(id),
                offset_days INTEGER NOT NULL,
                reminded INTEGER NOT NULL,
                recorded_at TEXT NOT NULL,
                PRIMARY KEY (invitation_id, offset_days)
            );
            """)
    }

    private static func v20(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX audit_log_subject ON audit_log(subject, id)")
    }

    /// One link per invitation: its token is derived from the link key and the invitation's
    /// `token_generation` (`TokenKey`), so every mail of it carries the same link; a reissue
    /// moves the generation on and revokes the old link.
    /// Sanctions screening: every imported version of every list kept whole (entries with their
    /// content hash), and the hits found, open until the officer confirms or clears them.
    /// The workspace's officer accounts (bcrypt hashes) and their sessions (only the SHA-256 of
    /// each cookie secret). Accounts are disabled, never deleted: the audit trail names them.
    private static func v19(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE officer_account (
                name TEXT PRIMARY KEY COLLATE NOCASE,
                role TEXT NOT NULL CHECK (role IN ('officer', 'viewer')),
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                disabled_at TEXT
            );
            CREATE TRIGGER officer_account_no_delete BEFORE DELETE ON officer_account
                BEGIN SELECT RAISE(ABORT, 'officer accounts are disabled, never deleted'); END;
            CREATE TABLE officer_session (
                token_sha256 TEXT PRIMARY KEY,
                officer TEXT NOT NULL REFERENCES officer_account(name),
                csrf TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                ended_at TEXT,
                end_reason TEXT
            );
            CREATE INDEX officer_session_officer ON officer_session(officer);
            """)
    }

    /// Other names a partner trades under (`aliases` in the partner file), screened like its name.
    private static func v18(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE partner ADD COLUMN aliases TEXT NOT NULL DEFAULT ''")
    }

    private static func v17(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE screening_list_version (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                list TEXT NOT NULL,
                format TEXT NOT NULL,
                list_date TEXT,
                source_file TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                entries INTEGER NOT NULL,
                imported_at TEXT NOT NULL,
                actor TEXT NOT NULL
            );
            CREATE TABLE screening_entry (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                version_id INTEGER NOT NULL REFERENCES screening_list_version(id),
                entry_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                names TEXT NOT NULL,
                program TEXT NOT NULL DEFAULT '',
                listed_on TEXT,
                details TEXT NOT NULL DEFAULT '',
                content_sha256 TEXT NOT NULL,
                UNIQUE (version_id, entry_key)
            );
            CREATE INDEX screening_entry_key ON screening_entry(entry_key, version_id);
            CREATE TABLE screening_hit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                list TEXT NOT NULL,
                entry_key TEXT NOT NULL,
                entry_sha256 TEXT NOT NULL,
                screened_name TEXT NOT NULL,
                screened_as TEXT NOT NULL,
                matched_name TEXT NOT NULL,
                score REAL NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'cleared')),
                found_at TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                note TEXT NOT NULL DEFAULT '',
                UNIQUE (partner_id, list, entry_key, screened_name)
            );
            CREATE TRIGGER screening_list_version_no_change BEFORE UPDATE ON screening_list_version
                BEGIN SELECT RAISE(ABORT, 'list versions are history; import the list again'); END;
            CREATE TRIGGER screening_entry_no_change BEFORE UPDATE ON screening_entry
                BEGIN SELECT RAISE(ABORT, 'list versions are history; import the list again'); END;
            CREATE TRIGGER screening_hit_no_delete BEFORE DELETE ON screening_hit
                BEGIN SELECT RAISE(ABORT, 'screening hits are cleared, never deleted'); END;
            """)
    }

    /// Corrective actions: a finding, its owner and due date; closed with a note (and a file kept
    /// in the evidence vault), never deleted.
    private static func v16(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE corrective_action (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
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
            );
            CREATE INDEX corrective_action_partner ON corrective_action(partner_id, id);
            CREATE TRIGGER corrective_action_no_delete BEFORE DELETE ON corrective_action
                BEGIN SELECT RAISE(ABORT, 'corrective actions are closed, never deleted'); END;
            CREATE TRIGGER corrective_action_closed_once BEFORE UPDATE ON corrective_action WHEN OLD.closed_at IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a closed corrective action is history'); END;
            """)
    }

    /// The officer's decisions that scores rest on, each kept with who and when (append-only):
    /// memberships verified with their program, evidence reviewed, red-flag explanations accepted
    /// (for one response: a new revision needs a new look). The ranking names its headline by sentence
    /// id (both languages, and a small ranking row) instead of copying the English text.
    private static func v15(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE membership_verification (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                program TEXT NOT NULL,
                number TEXT NOT NULL DEFAULT '',
                expires TEXT,
                verified INTEGER NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX membership_partner ON membership_verification(partner_id, program, id);
            CREATE TABLE evidence_review (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'falsified')),
                reason TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX evidence_review_file ON evidence_review(evidence_id, id);
            CREATE TABLE flag_acceptance (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                response_id INTEGER NOT NULL REFERENCES response(id),
                code TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL,
                at TEXT NOT NULL,
                UNIQUE (response_id, code)
            );
            ALTER TABLE current_score ADD COLUMN headline_text_id INTEGER REFERENCES explanation_text(id);
            """)
        for table in ["membership_verification", "evidence_review", "flag_acceptance"] {
            try db.execute(sql: """
                CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, 'officer decisions are history; record a new one'); END;
                CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) BEGIN SELECT RAISE(ABORT, 'officer decisions are history; record a new one'); END;
                """)
        }
    }

    private static func v14(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE invitation ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 1")
    }

    /// Outbox claims: each send run is recorded (`send_run`: its process and machine), and a
    /// message in `sending` names the run that claimed it, so several runs can send at once and a
    /// claim is interrupted only when its run is gone.
    private static func v13(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE mail_message ADD COLUMN claimed_by TEXT;
            CREATE TABLE send_run (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL);
            """)
    }

    /// A thank-you message names the response it acknowledges, so its subject and text carry the
    /// revision, and a response is acknowledged once: the message is queued in the transaction
    /// that stores the response (an import killed in between cannot lose the receipt).
    private static func v12(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE mail_message ADD COLUMN response_id INTEGER REFERENCES response(id);
            CREATE UNIQUE INDEX mail_message_thank_you ON mail_message(response_id) WHERE response_id IS NOT NULL;
            """)
    }

    /// Evidence from every channel: documents inside answer files and attached to replies join web
    /// uploads; a reply's document has no question until the officer assigns it (`question_id`
    /// NULL). The table is rebuilt because SQLite cannot relax a NOT NULL column in place.
    private static func v11(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE evidence_v11 (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                invitation_id INTEGER NOT NULL REFERENCES invitation(id),
                question_id TEXT,
                sha256 TEXT NOT NULL,
                original_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size INTEGER NOT NULL,
                uploaded_at TEXT NOT NULL,
                channel TEXT NOT NULL DEFAULT 'web',
                source TEXT
            );
            INSERT INTO evidence_v11 (id, invitation_id, question_id, sha256, original_name, content_type, size, uploaded_at)
                SELECT id, invitation_id, question_id, sha256, original_name, content_type, size, uploaded_at FROM evidence;
            DROP TABLE evidence;
            ALTER TABLE evidence_v11 RENAME TO evidence;
            CREATE INDEX evidence_invitation ON evidence(invitation_id, question_id);
            """)
    }

    /// A digest of each mailbox message's parts, so a message is passed over as already seen only
    /// when a copy with the same content was processed (a copy stripped by a gateway and later
    /// released whole has the same Message-ID and is read again).
    private static func v10(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE imap_seen ADD COLUMN content_sha256 TEXT")
    }

    /// Revisions ordered by when the partner saved them, not by when they arrived: `saved_at`
    /// (the answer file's own time, never later than its receipt; the receipt for the web form).
    /// Revisions stored before take their receipt time. The same answers saved at the same time
    /// are stored once per invitation: the unique index makes that hold when two imports run at
    /// once. Rows that already repeat one another (re-imports before this version) stay, so the
    /// index covers only the rows after the last of them. (Finding the current revision needs no
    /// index of its own: `UNIQUE (invitation_id, revision)` leads to an invitation's few rows.)
    private static func v9(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE response ADD COLUMN saved_at TEXT;
            DROP TRIGGER response_no_update;
            UPDATE response SET saved_at = received_at;
            CREATE TRIGGER response_no_update BEFORE UPDATE ON response
                BEGIN SELECT RAISE(ABORT, 'responses are immutable revisions; store a new revision'); END;
            """)
        let lastRepeat = try Int64.fetchOne(db, sql: """
            SELECT max(r.id) FROM response r WHERE EXISTS (SELECT 1 FROM response o WHERE o.invitation_id = r.invitation_id
                AND o.checksum = r.checksum AND o.saved_at = r.saved_at AND o.id < r.id)
            """) ?? 0
        try db.execute(sql: "CREATE UNIQUE INDEX response_once ON response(invitation_id, checksum, saved_at) WHERE id > \(lastRepeat)")
    }

    /// Answers and flags each kept once. A revision's answers live in `response.answers_json`
    /// (written since v3) and a score's flags in its explanation; the `answer` and `score_flag`
    /// tables held second copies that only the writers touched, and writing them was most of the
    /// cost of an import (65 rows per response) and of a rescore. Both names stay as read-only
    /// views with the same columns, so queries an officer or a script runs keep working.
    /// Revisions stored before v3 get their `answers_json` built from their answer rows first.
    private static func v8(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER response_no_update;
            UPDATE response SET answers_json = (SELECT json_group_object(question_id, json(value)) FROM answer a WHERE a.response_id = response.id)
                WHERE answers_json IS NULL;
            CREATE TRIGGER response_no_update BEFORE UPDATE ON response
                BEGIN SELECT RAISE(ABORT, 'responses are immutable revisions; store a new revision'); END;
            DROP TABLE answer;
            CREATE VIEW answer AS
                SELECT r.id AS response_id, a.key AS question_id,
                       CASE a.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE json_quote(a.value) END AS value
                FROM response r JOIN json_each(r.answers_json) a;
            DROP TABLE score_flag;
            CREATE VIEW score_flag AS
                SELECT s.id AS score_id, json_extract(f.value, '$.kind') AS kind, json_extract(f.value, '$.code') AS code,
                       COALESCE(t.en, json_extract(f.value, '$.text.en')) AS message
                FROM score s JOIN json_each(s.explanation) f
                LEFT JOIN explanation_text t ON t.id = json_extract(f.value, '$.t')
                WHERE json_extract(f.value, '$.kind') <> 'loss';
            """)
    }

    /// A score's eight category results as one column (`category:control:risk:capped;…`) instead
    /// of eight `category_score` rows: a rescore of 100,000 partners wrote 800,000 rows that are
    /// only ever read back together. Scores written before keep their rows and still read.
    private static func v7(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE score ADD COLUMN categories TEXT")
    }

    /// `current_score` stored in ranking order (a WITHOUT ROWID table keyed by risk, unique per
    /// partner) with the partner's active flag kept in step by a trigger: the ranking is then one
    /// ordered scan of one table, with no lookups into `partner` or `score`.
    private static func v6(_ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE current_score;
            CREATE TABLE current_score (
                overall_risk REAL NOT NULL,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                active INTEGER NOT NULL,
                score_id INTEGER NOT NULL REFERENCES score(id),
                response_id INTEGER,
                base_risk REAL NOT NULL,
                country_multiplier REAL NOT NULL,
                tier TEXT NOT NULL,
                knockout INTEGER NOT NULL,
                non_response INTEGER NOT NULL,
                computed_at TEXT NOT NULL,
                worst_categories TEXT NOT NULL,
                flag_count INTEGER NOT NULL,
                headline TEXT NOT NULL,
                reviewed_at TEXT,
                PRIMARY KEY (overall_risk, partner_id)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX current_score_partner ON current_score(partner_id);
            INSERT INTO current_score
                SELECT s.overall_risk, s.partner_id, p.active, s.id, s.response_id, s.base_risk, s.country_multiplier, s.tier, s.knockout,
                       s.non_response, s.computed_at, s.worst_categories, s.flag_count, s.headline, r.received_at
                FROM score s JOIN (SELECT max(id) AS id FROM score GROUP BY partner_id) latest ON latest.id = s.id
                JOIN partner p ON p.id = s.partner_id
                LEFT JOIN response r ON r.id = s.response_id;
            CREATE TRIGGER partner_active_to_ranking AFTER UPDATE OF active ON partner
                BEGIN UPDATE current_score SET active = NEW.active WHERE partner_id = NEW.id; END;
            """)
    }

    /// Explanation sentences stored once and referenced by id from `score.explanation` (which
    /// then holds code, kind, points and text id per factor): the same sentence recurs for
    /// thousands of partners, and writing it in both languages into every score made a rescore
    /// write 700 MB. Scores written before this migration keep their texts inline and still read.
    private static func v5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE explanation_text (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                en TEXT NOT NULL,
                fr TEXT NOT NULL,
                UNIQUE (en, fr)
            );
            CREATE TRIGGER explanation_text_no_update BEFORE UPDATE ON explanation_text
                BEGIN SELECT RAISE(ABORT, 'explanation texts are referenced by stored scores; add a new one'); END;
            """)
    }

    /// The newest score of each partner with what the ranking shows, kept in step with `score` by
    /// the same transaction that writes a score, and indexed by risk: ranking 100,000 partners reads
    /// one small table in order instead of grouping every score ever computed.
    private static func v4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE current_score (
                partner_id INTEGER PRIMARY KEY REFERENCES partner(id),
                score_id INTEGER NOT NULL REFERENCES score(id),
                response_id INTEGER,
                overall_risk REAL NOT NULL,
                base_risk REAL NOT NULL,
                country_multiplier REAL NOT NULL,
                tier TEXT NOT NULL,
                knockout INTEGER NOT NULL,
                non_response INTEGER NOT NULL,
                computed_at TEXT NOT NULL,
                worst_categories TEXT NOT NULL,
                flag_count INTEGER NOT NULL,
                headline TEXT NOT NULL,
                reviewed_at TEXT
            );
            CREATE INDEX current_score_risk ON current_score(overall_risk DESC);
            INSERT INTO current_score
                SELECT s.partner_id, s.id, s.response_id, s.overall_risk, s.base_risk, s.country_multiplier, s.tier, s.knockout,
                       s.non_response, s.computed_at, s.worst_categories, s.flag_count, s.headline, r.received_at
                FROM score s JOIN (SELECT max(id) AS id FROM score GROUP BY partner_id) latest ON latest.id = s.id
                LEFT JOIN response r ON r.id = s.response_id;
            """)
    }

    /// Each revision's answers also as one canonical JSON text, so scoring 100,000 partners reads
    /// 100,000 rows instead of 7 million. The `answer` rows stay (per-question queries, reports).
    /// Revisions stored before this migration have NULL and are read from `answer`.
    private static func v3(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE response ADD COLUMN answers_json TEXT")
    }

    /// What the ranking shows of a score, kept on the score row so ranking 100,000 partners is one
    /// indexed query: the two worst categories, the flag count and the first reason.
    private static func v2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE score ADD COLUMN worst_categories TEXT NOT NULL DEFAULT '';
            ALTER TABLE score ADD COLUMN flag_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE score ADD COLUMN headline TEXT NOT NULL DEFAULT '';
            """)
    }

    /// The whole mission's schema: partners, surveys, campaigns, invitations, outbox, responses,
    /// scores and the audit log.
    private static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE partner (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                external_id TEXT UNIQUE,
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                country TEXT NOT NULL CHECK (length(country) = 2),
                sector TEXT NOT NULL,
                contact_name TEXT,
                language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
                tags TEXT NOT NULL DEFAULT '',
                trusted_trader TEXT,
                active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX partner_sector ON partner(sector);
            CREATE INDEX partner_country ON partner(country);

            -- Further people to reach at a partner (the primary contact lives on partner).
            CREATE TABLE partner_contact (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                name TEXT,
                email TEXT NOT NULL,
                role TEXT,
                created_at TEXT NOT NULL
            );

            -- Officer-raised incidents that trigger an early re-review.
            CREATE TABLE partner_flag (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                reason TEXT NOT NULL,
                raised_by TEXT NOT NULL,
                raised_at TEXT NOT NULL,
                cleared_at TEXT
            );

            -- Survey definitions by version, immutable once stored.
            CREATE TABLE survey_version (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                survey_id TEXT NOT NULL,
                version TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'full',
                title TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                registered_at TEXT NOT NULL,
                UNIQUE (survey_id, version)
            );

            CREATE TABLE scoring_config_version (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                config_id TEXT NOT NULL,
                version TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                country_list_date TEXT NOT NULL,
                country_list_hash TEXT NOT NULL,
                country_list TEXT NOT NULL,
                registered_at TEXT NOT NULL,
                UNIQUE (config_id, version, country_list_hash)
            );

            CREATE TABLE campaign (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                survey_version_id INTEGER NOT NULL REFERENCES survey_version(id),
                deadline TEXT NOT NULL,
                sender TEXT NOT NULL,
                selector TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'survey',
                status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
                created_at TEXT NOT NULL,
                closed_at TEXT
            );

            -- One per partner per campaign; the survey version may differ per partner (re-review).
            CREATE TABLE invitation (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                campaign_id INTEGER NOT NULL REFERENCES campaign(id),
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                survey_version_id INTEGER NOT NULL REFERENCES survey_version(id),
                reminders_sent INTEGER NOT NULL DEFAULT 0,
                last_mailed_at TEXT,
                created_at TEXT NOT NULL,
                UNIQUE (campaign_id, partner_id)
            );
            CREATE INDEX invitation_partner ON invitation(partner_id);

            -- Personal link tokens: only a SHA-256 hash is ever stored. Each mail gets a fresh one.
            CREATE TABLE invitation_token (
                token_hash TEXT PRIMARY KEY,
                invitation_id INTEGER NOT NULL REFERENCES invitation(id),
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX invitation_token_invitation ON invitation_token(invitation_id);

            -- The outbox. The body is rendered at send time and never stored (it holds the link).
            CREATE TABLE mail_message (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                invitation_id INTEGER REFERENCES invitation(id),
                kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank-you')),
                recipient TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'uncertain')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                last_reply TEXT,
                message_id TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                sent_at TEXT
            );
            CREATE INDEX mail_message_state ON mail_message(state, next_attempt_at);
            CREATE INDEX mail_message_invitation ON mail_message(invitation_id);

            CREATE TABLE mail_attempt (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                mail_message_id INTEGER NOT NULL REFERENCES mail_message(id),
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                reply TEXT,
                at TEXT NOT NULL
            );
            CREATE INDEX mail_attempt_message ON mail_attempt(mail_message_id);

            -- Responses: immutable revisions. A resubmission is a new row.
            CREATE TABLE response (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                invitation_id INTEGER NOT NULL REFERENCES invitation(id),
                revision INTEGER NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('web', 'file', 'imap', 'demo')),
                source TEXT,
                complete INTEGER NOT NULL,
                missing TEXT NOT NULL DEFAULT '[]',
                checksum TEXT NOT NULL,
                received_at TEXT NOT NULL,
                UNIQUE (invitation_id, revision)
            );
            CREATE TABLE answer (
                response_id INTEGER NOT NULL REFERENCES response(id),
                question_id TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (response_id, question_id)
            ) WITHOUT ROWID;

            -- Work in progress from the web form; replaced freely until submitted.
            CREATE TABLE draft (
                invitation_id INTEGER PRIMARY KEY REFERENCES invitation(id),
                answers TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );

            -- Evidence files, content-addressed by SHA-256.
            CREATE TABLE evidence (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                invitation_id INTEGER NOT NULL REFERENCES invitation(id),
                question_id TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                original_name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                size INTEGER NOT NULL,
                uploaded_at TEXT NOT NULL
            );

            -- Inputs that could not be accepted, with the copy kept in the quarantine folder.
            CREATE TABLE rejected_input (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                channel TEXT NOT NULL,
                source TEXT NOT NULL,
                reason TEXT NOT NULL,
                quarantine_path TEXT,
                received_at TEXT NOT NULL
            );

            -- IMAP messages already processed, so a second fetch ingests nothing twice.
            CREATE TABLE imap_seen (
                mailbox TEXT NOT NULL,
                uid_validity INTEGER NOT NULL,
                uid INTEGER NOT NULL,
                message_id TEXT,
                outcome TEXT NOT NULL,
                processed_at TEXT NOT NULL,
                PRIMARY KEY (mailbox, uid_validity, uid)
            );
            CREATE INDEX imap_seen_message_id ON imap_seen(message_id);

            -- Scores: one row per scoring run of a partner; old rows stay as history.
            CREATE TABLE score (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                invitation_id INTEGER REFERENCES invitation(id),
                response_id INTEGER REFERENCES response(id),
                survey_version_id INTEGER REFERENCES survey_version(id),
                scoring_config_version_id INTEGER REFERENCES scoring_config_version(id),
                overall_risk REAL NOT NULL,
                base_risk REAL NOT NULL,
                country_multiplier REAL NOT NULL,
                tier TEXT NOT NULL,
                knockout INTEGER NOT NULL,
                non_response INTEGER NOT NULL DEFAULT 0,
                explanation TEXT NOT NULL,
                computed_at TEXT NOT NULL
            );
            CREATE INDEX score_partner ON score(partner_id, id);
            CREATE TABLE category_score (
                score_id INTEGER NOT NULL REFERENCES score(id),
                category TEXT NOT NULL,
                control REAL NOT NULL,
                risk REAL NOT NULL,
                capped INTEGER NOT NULL,
                PRIMARY KEY (score_id, category)
            ) WITHOUT ROWID;
            CREATE TABLE score_flag (
                score_id INTEGER NOT NULL REFERENCES score(id),
                kind TEXT NOT NULL,
                code TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX score_flag_score ON score_flag(score_id);

            -- Officer decisions on a review.
            CREATE TABLE review_sign_off (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                partner_id INTEGER NOT NULL REFERENCES partner(id),
                decision TEXT NOT NULL,
                note TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            );

            -- Append-only record of who did what and when.
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            );
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER response_no_update BEFORE UPDATE ON response
                BEGIN SELECT RAISE(ABORT, 'responses are immutable revisions; store a new revision'); END;
            CREATE TRIGGER response_no_delete BEFORE DELETE ON response
                BEGIN SELECT RAISE(ABORT, 'responses are immutable revisions'); END;
            CREATE TRIGGER answer_no_update BEFORE UPDATE ON answer
                BEGIN SELECT RAISE(ABORT, 'answers are immutable'); END;
            CREATE TRIGGER score_no_update BEFORE UPDATE ON score
                BEGIN SELECT RAISE(ABORT, 'scores are history; write a new score'); END;
            """)
    }
}
