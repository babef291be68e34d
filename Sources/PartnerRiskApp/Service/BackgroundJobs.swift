import Foundation
import PartnerRiskCore
import PartnerRiskTemplates

/// The routine work `serve` does on a schedule, built from the `service:` settings: each job is
/// a `ScheduledJob` whose `run` uses the same services as the commands it replaces
/// (`campaign send`, `responses fetch`, `campaign remind`, `review due`, `screening lists import`).
public struct BackgroundJobs: Sendable {
    public static let outbox = "outbox", mailbox = "mailbox", reminders = "reminders", reviewClock = "review_clock", screening = "screening"

    let environment: AppEnvironment
    let overrides: MailSetup.Overrides
    let publicURL: String
    let transports: any MailTransportFactory
    /// `mail.max_per_minute`, shared with the server's other send runs.
    let limiter: RateLimiter?

    init(environment: AppEnvironment, overrides: MailSetup.Overrides, publicURL: String, transports: any MailTransportFactory, limiter: RateLimiter? = nil) {
        self.environment = environment
        self.overrides = overrides
        self.publicURL = publicURL
        self.transports = transports
        self.limiter = limiter
    }

    /// The jobs the config switches on; a switched-on job that cannot work (no mailbox, no folder,
    /// links partners cannot open) is refused here, before the server starts.
    /// `linkURL` is the public URL as set (nil when neither `--public-url` nor the config gives one).
    func jobs(allowLocalLinks: Bool, linkURL: String?) throws -> [ScheduledJob] {
        let service = environment.config.service ?? AppConfig.Service()
        var jobs: [ScheduledJob] = []
        if let outbox = service.outbox, outbox.enabled == true {
            try environment.mail.checkLinks(publicURL: linkURL, transports: transports, allow: allowLocalLinks)
            jobs.append(ScheduledJob(name: Self.outbox, schedule: .every(TimeInterval(max(1, outbox.intervalSeconds ?? 10)))) { stop in
                try sendDue(stop: stop)
            })
        }
        if let mailbox = service.mailbox, mailbox.enabled == true {
            _ = try environment.configuredMailbox()  // the settings checked now
            jobs.append(ScheduledJob(name: Self.mailbox, schedule: .every(TimeInterval(max(1, mailbox.intervalMinutes ?? 5) * 60))) { _ in
                try fetchReplies()
            })
        }
        if let reminders = service.reminders, reminders.enabled == true {
            let plan = ReminderPlan(offsets: reminders.offsetsDays ?? AppConfig.Service.defaultOffsets)
            jobs.append(ScheduledJob(name: Self.reminders, schedule: .every(TimeInterval(max(1, reminders.intervalMinutes ?? 60) * 60))) { stop in
                try queueReminders(plan, stop: stop)
            })
        }
        if let clock = service.reviewClock, clock.enabled == true {
            let recipient = try clock.digestTo.map { text in
                guard let address = MailAddress(parsing: text) else {
                    throw PartnerRiskError.badInput("service.review_clock.digest_to \"\(text)\" is not an email address")
                }
                return address
            }
            let templates = try TemplateLibrary(directory: environment.workspace.templatesDirectory, required: recipient == nil ? [] : Self.digestTemplates)
            jobs.append(ScheduledJob(name: Self.reviewClock, schedule: .daily) { _ in
                try runReviewClock(digestTo: recipient, templates: templates)
            })
        }
        if let watch = service.screening, watch.enabled == true {
            guard let folder = watch.folder, !folder.isEmpty else {
                throw PartnerRiskError.badInput("service.screening is enabled but service.screening.folder is not set; name the folder the list files are put in")
            }
            let resolved = URL(fileURLWithPath: folder)
            jobs.append(ScheduledJob(name: Self.screening, schedule: .every(TimeInterval(max(1, watch.intervalSeconds ?? 60)))) { stop in
                try watchLists(folder: resolved, stop: stop)
            })
        }
        return jobs
    }

    static let digestTemplates = ["mail/digest.en.subject", "mail/digest.en.txt", "mail/digest.fr.subject", "mail/digest.fr.txt"]

    // MARK: - The jobs

    /// Every campaign's queued and due-for-retry messages, claimed as `campaign send` claims them.
    func sendDue(stop: StopFlag) throws -> String {
        var lines: [String] = []
        for campaignID in try environment.repositories.campaignsWithDueMessages(at: environment.time.now()) where !stop.isSet {
            let sender = try environment.campaignSender(campaignID: campaignID, overrides: overrides, publicURL: publicURL, transports: transports,
                                                        limiter: limiter)
            let report = try sender.send(campaignID: campaignID, stop: stop)
            lines.append("campaign \(campaignID): \(report.line)")
        }
        return lines.joined(separator: "; ")
    }

    /// New replies in the configured mailbox, as `responses fetch` reads them.
    func fetchReplies() throws -> String {
        let fetcher = try environment.configuredMailbox()
        let result = try environment.fetchReplies(fetcher)
        var line = "\(result.messages) new message(s); \(result.summary.line)"
        if !result.hits.isEmpty { line += "; \(result.hits.count) new screening hit(s)" }
        return result.messages == 0 ? "" : line
    }

    /// Reminders at the configured offsets; each offset is recorded in the store, so never twice.
    func queueReminders(_ plan: ReminderPlan, stop: StopFlag) throws -> String {
        let repositories = environment.repositories
        var queued = 0
        for step in plan.steps(for: try repositories.reminderCandidates(), at: environment.time.now()) where !stop.isSet {
            if try repositories.applyReminderStep(step, at: environment.time.now()) { queued += 1 }
        }
        guard queued > 0 else { return "" }
        let outboxOn = environment.config.service?.outbox?.enabled == true
        return "\(queued) reminder(s) queued" + (outboxOn ? "" : " (the outbox worker is off: they go out with `campaign send`)")
    }

    /// Once a day: the due list kept, and the digest mailed when there is something in it.
    func runReviewClock(digestTo: MailAddress?, templates: TemplateLibrary) throws -> String {
        let clock = ReviewClock(repositories: environment.repositories, reviews: environment.reviews, time: environment.time,
                                language: environment.officerLanguage)
        guard try !clock.ranToday() else { return "" }
        let (digest, due) = try clock.digest()
        var line = "\(due.count) partner(s) due for re-review; \(digest.summary)"
        if let digestTo, !digest.isEmpty {
            try mailDigest(digest, to: digestTo, templates: templates)
            line += "; digest sent to \(digestTo.address)"
        }
        try clock.commit(due: due)
        return line
    }

    func mailDigest(_ digest: ReviewDigest, to recipient: MailAddress, templates: TemplateLibrary) throws {
        let base = "mail/digest.\(environment.officerLanguage.rawValue)"
        let sender = environment.mail.defaultSender
        let values = digest.values()
        let content = MailContent(from: sender, to: recipient, subject: try templates.render(base + ".subject", values).trimmingCharacters(in: .whitespacesAndNewlines),
                                  text: try templates.render(base + ".txt", values), headers: [("X-PartnerRisk-Kind", "digest")])
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "partner-risk.invalid"
        let mail = MIMEBuilder.random(date: environment.time.now(), domain: domain).build(content)
        let outcome = try transports.makeTransport().deliver(mail)
        guard case .accepted = outcome else { throw PartnerRiskError.failed("the digest to \(recipient.address) was not accepted: \(outcome.reply)") }
    }

    /// Imports each list file in `folder` that is new or changed since the last look (and has
    /// not changed for a few seconds: a file still being copied is left for the next look).
    func watchLists(folder: URL, stop: StopFlag) throws -> String {
        let key = "screening.files"
        let repositories = environment.repositories
        var known = ListFingerprints(text: try repositories.serviceState(key) ?? "")
        let now = environment.time.now()
        var lines: [String] = [], failures: [String] = []
        for file in try ListFingerprints.files(in: folder) where !stop.isSet {
            guard let print = ListFingerprints.fingerprint(of: file), known.entries[file.path] != print,
                  now.timeIntervalSince1970 * 1000 - Double(print.modifiedMilliseconds) >= 5_000 else { continue }
            known.entries[file.path] = print
            do {
                let imported = try environment.screening.importList(file.path, name: nil, asOf: nil)
                let hits = imported.screening.new + imported.screening.reopened
                lines.append("\(file.lastPathComponent): \(imported.list.name) \(imported.list.date ?? ""), \(imported.changes.added.count) added, "
                             + "\(imported.changes.changed.count) changed, \(imported.changes.removed.count) removed; \(hits.count) new hit(s)")
            } catch {
                failures.append("\(file.lastPathComponent): \(error)")
            }
        }
        try repositories.setServiceState(key, known.text, at: now)
        if !failures.isEmpty { throw PartnerRiskError.badInput((lines + failures).joined(separator: "; ")) }
        return lines.joined(separator: "; ")
    }
}

/// The size and time of each list file the screening watcher has imported, kept in the store as
/// lines of `path<TAB>size<TAB>modified (ms since 1970)`, so a restart does not import the same files again.
struct ListFingerprints {
    struct Print: Equatable {
        var size: Int
        /// Whole milliseconds: a `Date` does not survive a trip through text exactly.
        var modifiedMilliseconds: Int64
    }

    var entries: [String: Print] = [:]

    init(text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let size = Int(fields[1]), let modified = Int64(fields[2]) else { continue }
            entries[String(fields[0])] = Print(size: size, modifiedMilliseconds: modified)
        }
    }

    var text: String {
        entries.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value.size)\t\($0.value.modifiedMilliseconds)" }.joined(separator: "\n")
    }

    /// The regular files of `folder` (hidden ones left out), by name.
    static func files(in folder: URL) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw PartnerRiskError.badInput("the screening folder \(folder.path) cannot be read; create it or fix service.screening.folder")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }.filter { fingerprint(of: $0) != nil }
    }

    static func fingerprint(of file: URL) -> Print? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue, let modified = attributes[.modificationDate] as? Date else { return nil }
        return Print(size: size, modifiedMilliseconds: Int64((modified.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
