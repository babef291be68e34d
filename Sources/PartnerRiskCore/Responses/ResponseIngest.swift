import Crypto
import Foundation
import Synchronization

/// One pipeline for every channel: reads response files (JSON, or `.eml` with the file
/// attached), validates them, stores each accepted one as a new immutable revision, and copies
/// every rejected input to the quarantine folder with its reason. Nothing is dropped: documents
/// embedded in an answer file, or attached to a reply beside it, are kept as evidence.
public struct ResponseIngest: Sendable {
    public static let maxJSONBytes = 2 * 1024 * 1024
    public static let maxMessageBytes = 40 * 1024 * 1024
    /// A message with more answer files than this is quarantined whole, once, with its reason.
    public static let maxAnswerFilesPerMessage = 20

    public enum Outcome: Sendable, Equatable {
        case accepted(responseID: Int64, revision: Int, complete: Bool, missing: [String])
        /// Stored as revision `revision`, but saved before revision `current`, which stays current.
        case history(responseID: Int64, revision: Int, current: Int)
        case duplicate(revision: Int)
        case rejected(reason: String)
        /// Checked and waiting in the import's batch; its outcome reaches the summary when written.
        case queued
    }

    /// Counts for the command's summary.
    public struct Summary: Sendable, Equatable {
        public var accepted = 0
        public var revised = 0
        public var incomplete = 0
        public var duplicates = 0
        /// Answers saved before the current revision that arrived late: stored as history, not current.
        public var history: [(source: String, revision: Int, current: Int)] = []
        public var rejected: [(source: String, reason: String)] = []
        public var acceptedResponseIDs: [Int64] = []
        /// The campaigns of the accepted responses: each one's thank-you was queued with it.
        public var acknowledgedCampaigns: Set<Int64> = []
        /// The partners whose answers were accepted (their owners and banks are screened again).
        public var acceptedPartners: Set<Int64> = []
        /// Evidence documents stored (new ones; a document already on file is not counted).
        public var evidence = 0
        /// Documents that came with answers but were not kept, with why (an unsupported kind, too large).
        public var evidenceNotKept: [(source: String, reason: String)] = []
        /// Invitations that gained evidence: their current answers are scored again.
        public var evidenceInvitations: Set<Int64> = []
        /// Paths not taken at all (a folder named `*.eml`, a FIFO, a broken link, an unreadable file), with why.
        public var skipped: [(source: String, reason: String)] = []

        public var line: String {
            "accepted \(accepted), revised \(revised), incomplete \(incomplete), duplicates \(duplicates), rejected \(rejected.count)"
                + (history.isEmpty ? "" : ", older than current \(history.count)") + (evidence == 0 ? "" : ", evidence \(evidence)")
                + (skipped.isEmpty ? "" : ", skipped \(skipped.count)")
        }

        public static func == (lhs: Summary, rhs: Summary) -> Bool { lhs.line == rhs.line }
    }

    public let responses: ResponseRepository
    public let surveys: SurveyRepository
    public let quarantine: URL
    /// Reads returned mail (`.eml` files and IMAP messages) into its parts.
    public let messages: any MessageDecoding
    /// Where documents that arrive with answers are kept.
    public let evidence: EvidenceIntake
    public let time: TimeSource
    /// A progress line for a folder import on a terminal (nil: none).
    public var progress: ProgressMeter?
    /// Told the ids of the responses each of an import's transactions accepted, once written,
    /// with their validated answers by position (`BackgroundScoring.submit`: scoring them beside
    /// the import without reading them back).
    public var onStored: (@Sendable ([Int64], [Int64: PositionedAnswers]) -> Void)?
    private let cache = SurveyCache()
    /// Accepted responses not yet written; flushed when `limit` is reached (1: at once).
    var pending = PendingResponses(limit: 1)
    /// An import's files checked together, and its responses written per transaction.
    var batching = (filesPerChunk: 256, responsesPerTransaction: 500)

    public init(responses: ResponseRepository, surveys: SurveyRepository, quarantine: URL, messages: any MessageDecoding,
                evidence: EvidenceIntake, time: TimeSource = SystemTime()) {
        self.evidence = evidence
        self.responses = responses
        self.surveys = surveys
        self.quarantine = quarantine
        self.messages = messages
        self.time = time
    }

    /// Imports files and folders (recursively: `*.json` and `*.eml`). Accepted responses are
    /// written 500 to a transaction (`batching`); the files stay where they are, so an interrupted import is
    /// simply run again.
    public func importPaths(_ paths: [String], channel: ResponseChannel = .file) throws -> Summary {
        var batched = self
        batched.pending = PendingResponses(limit: batching.responsesPerTransaction)
        return try batched.importBatched(paths, channel: channel)
    }

    private func importBatched(_ paths: [String], channel: ResponseChannel) throws -> Summary {
        var summary = Summary()
        var files: [URL] = []
        for path in paths {
            let found = try self.files(at: path)
            files += found.files
            summary.skipped += found.skipped
        }
        let size = batching.filesPerChunk
        let chunks = stride(from: 0, to: files.count, by: size).map { Array(files[$0..<min($0 + size, files.count)]) }
        progress?.begin(total: files.count)
        defer { progress?.finish() }
        // Answer files are read and checked on every core (parse, checksum, token, validation) one
        // chunk ahead, while this thread commits the chunk before in order, so numbering and
        // duplicate detection stay sequential.
        var ahead = chunks.prefix(Self.chunksAhead).map(checkAhead)
        for (number, chunk) in chunks.enumerated() {
            let checked = ahead.removeFirst().wait()  // one per chunk: the first ones above, the next below
            if number + Self.chunksAhead < chunks.count { ahead.append(checkAhead(chunks[number + Self.chunksAhead])) }
            let handed = summary.acceptedResponseIDs.count
            for (index, file) in chunk.enumerated() {
                try commitChecked(checked[index], file: file, channel: channel, into: &summary)
            }
            takeResults(into: &summary, handingOnFrom: handed)
            Self.releaseElsewhere(checked)
            progress?.advance(chunk.count)
        }
        let handed = summary.acceptedResponseIDs.count
        try pending.flush(into: responses)
        takeResults(into: &summary, handingOnFrom: handed)
        return summary
    }

    /// Counts what was written since the last call, and hands the ids accepted since `start`
    /// (written at once or in the batch just flushed) to `onStored`.
    private func takeResults(into summary: inout Summary, handingOnFrom start: Int) {
        let known = pending.takeResults(into: &summary)
        if let onStored, summary.acceptedResponseIDs.count > start { onStored(Array(summary.acceptedResponseIDs[start...]), known) }
    }

    /// Commits one file of a chunk, in order: what the workers checked, or (a large file) reads it now.
    private func commitChecked(_ checked: CheckedFile, file: URL, channel: ResponseChannel, into summary: inout Summary) throws {
        let source = file.path
        if checked.readWhenCommitted { return try ingestLarge(file, source: source, channel: channel, into: &summary) }
        let data: Data
        switch checked.data {
        case .success(let bytes): data = bytes
        case .failure(let tooLarge as FileBytes.TooLarge):
            return try rejectUnread(file, source: source, channel: channel, size: tooLarge.size, into: &summary)
        case .failure(let error):
            summary.skipped.append((source, (error as? PartnerRiskError)?.message ?? "\(error)"))
            return
        }
        if let message = checked.message {
            return try ingestMessage(message.decoded, data: data, source: source, channel: channel, checks: message.checks, into: &summary)
        }
        guard let result = checked.checked else {
            return try ingestInput(data, source: source, isMessage: true, channel: channel, into: &summary)
        }
        let outcome: Outcome
        switch try result.get() {
        case .rejected(let reason): outcome = .rejected(reason: reason)
        case .valid(let valid): outcome = try commit(valid, channel: channel, source: source)
        }
        try record(outcome, data: data, source: source, channel: channel, into: &summary)
    }

    /// Hands the last reference to `value` to a background thread, which frees it there: freeing a
    /// chunk's parsed answer trees is a fair share of the work, and this thread is the one writer.
    static func releaseElsewhere<T>(_ value: consuming T) {
        let box = ReleaseBox(value)
        DispatchQueue.global(qos: .utility).async { box.value = nil }
    }

    /// Chunks being checked while one is committed: two, so the cores have the next chunk's
    /// files to parse while the one before waits for its token lookup.
    static let chunksAhead = 2

    /// Files up to this size are read and checked ahead, on every core; larger ones (messages with
    /// attachments, answer files carrying documents) are read when committed, one at a time, so an
    /// import's memory stays bounded (a chunk holds at most 256 such files) whatever the files' sizes.
    static let readAheadBytes = 1_048_576

    /// Starts reading and checking a chunk of files on every core: first each file on its own (a
    /// message is decoded and its answer attachments parsed), then the chunk's tokens in one
    /// database read, then each answer file against its survey.
    private func checkAhead(_ chunk: [URL]) -> CheckedChunk {
        let result = CheckedChunk(count: chunk.count)
        let ingest = self
        DispatchQueue.global().async(group: result.group) {
            // One slot per file: its answer files, parsed (one for a .json file, one per attachment of a message).
            let parsed = LockedSlots<[Result<Parsed, Error>]>(count: chunk.count)
            DispatchQueue.concurrentPerform(iterations: chunk.count) { index in
                let file = chunk[index]
                let isMessage = file.pathExtension.lowercased() == "eml"
                let data = Result<Data, Error> { try FileBytes.contents(of: file.path, limit: Self.readAheadBytes) }
                if case .failure(let large as FileBytes.TooLarge) = data,
                   large.size <= (isMessage ? Self.maxMessageBytes : EvidenceIntake.maxAnswerFileBytes) {
                    result.files[index] = CheckedFile(data: data, checked: nil, readWhenCommitted: true)
                    return
                }
                result.files[index] = CheckedFile(data: data, checked: nil)
                guard case .success(let bytes) = data else { return }
                if !isMessage {
                    parsed[index] = [.success(ingest.parse(bytes))]
                } else {
                    // Decoded once, here; a message that cannot be read is quarantined when committed.
                    let message = ingest.messages.decode(bytes)
                    result.files[index]?.message = PreparedMessage(decoded: message, checks: [])
                    if let answerFiles = ingest.readableAnswerFiles(message) { parsed[index] = answerFiles.map { .success(ingest.parse($0.body)) } }
                }
            }
            let hashes = (0..<chunk.count).flatMap { index -> [String] in
                (parsed[index] ?? []).compactMap { if case .success(.parsed(let file)) = $0 { file.tokenHash } else { nil } }
            }
            let contexts = Result { try ingest.responses.invitations(tokenHashes: hashes, at: ingest.time.now()) }
            DispatchQueue.concurrentPerform(iterations: chunk.count) { index in
                guard let outcomes = parsed[index] else { return }
                let checks = outcomes.map { outcome in
                    outcome.flatMap { parsed in
                        Result { () throws -> Checked in
                            switch parsed {
                            case .rejected(let reason): return .rejected(reason)
                            case .parsed(let file): return try ingest.check(file, context: contexts.get()[file.tokenHash])
                            }
                        }
                    }
                }
                if result.files[index]?.message != nil { result.files[index]?.message?.checks = checks } else { result.files[index]?.checked = checks.first }
            }
        }
        return result
    }

    /// The answer files and messages under `path` (itself, or `*.json` and `*.eml` in a folder,
    /// recursively), in path order. A path given by itself must be a regular file (else it is listed
    /// as skipped, with why); one found in a folder is checked when it is opened, without blocking,
    /// so a FIFO, a folder named `*.eml` or a broken link is skipped with its reason there.
    func files(at path: String) throws -> (files: [URL], skipped: [(source: String, reason: String)]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || FileBytes.isLink(path) else {
            throw PartnerRiskError.badInput("\(path) does not exist")
        }
        guard isDirectory.boolValue else {
            switch FileBytes.regularFile(path) {
            case .success: return ([URL(fileURLWithPath: path)], [])
            case .failure(let problem): return ([], [(path, problem.message)])
            }
        }
        let root = URL(fileURLWithPath: path).path  // absolute, as sources are recorded
        return (FolderWalk.paths(under: root, extensions: ["json", "eml"]).map { URL(fileURLWithPath: $0, isDirectory: false) }, [])
    }

    /// A file over the read-ahead size: read now, by itself (a message with its attachments, or an
    /// answer file that documents make large).
    private func ingestLarge(_ file: URL, source: String, channel: ResponseChannel, into summary: inout Summary) throws {
        let isMessage = file.pathExtension.lowercased() == "eml"
        let data: Data
        do {
            data = try FileBytes.contents(of: file.path, limit: isMessage ? Self.maxMessageBytes : EvidenceIntake.maxAnswerFileBytes)
        } catch let tooLarge as FileBytes.TooLarge {
            return try rejectUnread(file, source: source, channel: channel, size: tooLarge.size, into: &summary)
        } catch {
            summary.skipped.append((source, (error as? PartnerRiskError)?.message ?? "\(error)"))
            return
        }
        try ingestInput(data, source: source, isMessage: isMessage, channel: channel, into: &summary)
    }

    /// Ingests one input: a response file, or a whole message whose attachments are response files.
    public func ingest(_ data: Data, source: String, isMessage: Bool, channel: ResponseChannel, into summary: inout Summary) throws {
        try ingestInput(data, source: source, isMessage: isMessage, channel: channel, into: &summary)
        try pending.flush(into: responses)
        pending.takeResults(into: &summary)
    }

    private func ingestInput(_ data: Data, source: String, isMessage: Bool, channel: ResponseChannel, into summary: inout Summary) throws {
        if isMessage {
            guard data.count <= Self.maxMessageBytes else {
                return try reject(data, source: source, channel: channel, reason: "message larger than \(Self.maxMessageBytes / 1_048_576) MB", into: &summary)
            }
            return try ingestMessage(messages.decode(data), data: data, source: source, channel: channel, checks: nil, into: &summary)
        }
        try record(process(data, source: source, channel: channel), data: data, source: source, channel: channel, into: &summary)
    }

    /// A message's answer attachments, when it can be read at all: nil when it is refused (a cap),
    /// holds no answer file or too many (`ingestMessage` quarantines it with its reason).
    func readableAnswerFiles(_ message: ReceivedMessage) -> [ReceivedMessage.Part]? {
        guard message.refusal == nil else { return nil }
        let answerFiles = Self.answerFiles(message)
        return answerFiles.isEmpty || answerFiles.count > Self.maxAnswerFilesPerMessage ? nil : answerFiles
    }

    /// The parts of a message that are answer files (a `.json` name or type).
    static func answerFiles(_ message: ReceivedMessage) -> [ReceivedMessage.Part] {
        message.parts.filter { part in part.fileName?.lowercased().hasSuffix(".json") == true || part.contentType == "application/json" }
    }

    /// Ingests a decoded message: each answer attachment (checked ahead in `checks`, else now),
    /// then its other documents; a message that cannot be read is quarantined whole with its reason.
    private func ingestMessage(_ message: ReceivedMessage, data: Data, source: String, channel: ResponseChannel, checks: [Result<Checked, Error>]?,
                               into summary: inout Summary) throws {
        if let refusal = message.refusal {
            return try reject(data, source: source, channel: channel, reason: refusal, into: &summary)
        }
        let attachments = Self.answerFiles(message)
        guard !attachments.isEmpty else {
            return try reject(data, source: source, channel: channel, reason: Self.noAnswerFileReason(message.parts), into: &summary)
        }
        guard attachments.count <= Self.maxAnswerFilesPerMessage else {
            return try reject(data, source: source, channel: channel, reason: "\(attachments.count) answer files attached; at most "
                + "\(Self.maxAnswerFilesPerMessage) are read from one message: send them in several messages", into: &summary)
        }
        var invitations: Set<Int64> = []
        for (index, part) in attachments.enumerated() {
            let partSource = source + (attachments.count > 1 ? "#\(index + 1)" : "") + " (\(part.fileName ?? "attachment"))"
            let outcome: Outcome
            switch try checks.map({ try $0[index].get() }) ?? check(part.body) {
            case .rejected(let reason): outcome = .rejected(reason: reason)
            case .valid(let valid):
                invitations.insert(valid.context.invitationID)
                outcome = try commit(valid, channel: channel, source: partSource)
            }
            try record(outcome, data: part.body, source: partSource, channel: channel, into: &summary)
        }
        try keepAttachedDocuments(message.parts, invitations: invitations, source: source, channel: channel, into: &summary)
    }

    /// A reply's other attachments (PDF, images, office files) beside an answer file that was read:
    /// kept as evidence of that invitation, not yet assigned to a question. With answer files for
    /// several invitations in one reply, whose document each is cannot be told: none is kept, and
    /// the summary says so.
    private func keepAttachedDocuments(_ parts: [ReceivedMessage.Part], invitations: Set<Int64>, source: String, channel: ResponseChannel,
                                       into summary: inout Summary) throws {
        let documents = parts.filter(EvidenceIntake.isDocument)
        guard !documents.isEmpty, !invitations.isEmpty else { return }
        guard invitations.count == 1, let invitation = invitations.first else {
            summary.evidenceNotKept += documents.map { (source, "\($0.fileName ?? "attachment"): the reply holds answers of several partners; ask each to send their documents with their own answers") }
            return
        }
        for part in documents.prefix(EvidenceIntake.maxDocuments) {
            let document = EvidenceIntake.Document(questionID: nil, name: part.fileName ?? "attachment", contentType: part.contentType, data: part.body)
            summary.note(try evidence.store(document, invitationID: invitation, channel: channel, source: source, at: time.now()),
                         invitationID: invitation, source: source)
        }
    }

    private func record(_ outcome: Outcome, data: Data, source: String, channel: ResponseChannel, into summary: inout Summary) throws {
        if case .rejected(let reason) = outcome {
            try reject(data, source: source, channel: channel, reason: reason, into: &summary)
        } else {
            summary.count(outcome, source: source)
        }
    }

    /// Why a message holds no answer file, in words that say what the partner should do.
    static func noAnswerFileReason(_ parts: [ReceivedMessage.Part]) -> String {
        let names = parts.compactMap { $0.fileName?.lowercased() }
        if parts.contains(where: { $0.contentType == "application/ms-tnef" || $0.contentType == "application/vnd.ms-tnef" }) || names.contains("winmail.dat") {
            return "the reply carries only winmail.dat (Outlook rich text, TNEF), which hides the answer file; "
                + "ask the partner to send the saved answers file again as an ordinary attachment, writing the reply in HTML or plain text"
        }
        if parts.contains(where: { $0.contentType == "application/vnd.ms-outlook" }) || names.contains(where: { $0.hasSuffix(".msg") }) {
            return "an Outlook message (.msg) is attached instead of the answer file; ask the partner to attach the saved answers .json file itself"
        }
        return "no answer file (.json) attached"
    }

    private func reject(_ data: Data, source: String, channel: ResponseChannel, reason: String, into summary: inout Summary) throws {
        let path = try quarantineCopy(data, source: source)
        try responses.recordRejected(channel: channel, source: source, reason: reason, quarantinePath: path, at: time.now())
        summary.rejected.append((source, reason))
    }

    /// A file over the size limit: copied to the quarantine as it is (never read whole) and recorded.
    private func rejectUnread(_ file: URL, source: String, channel: ResponseChannel, size: Int, into summary: inout Summary) throws {
        try FileManager.default.createDirectory(at: quarantine, withIntermediateDirectories: true)
        let copy = quarantineURL(source: source)
        try FileManager.default.copyItem(at: file, to: copy)
        let limit = file.pathExtension.lowercased() == "eml" ? Self.maxMessageBytes : EvidenceIntake.maxAnswerFileBytes
        let reason = "file of \(size / 1_048_576) MB, larger than \(limit / 1_048_576) MB"
        try responses.recordRejected(channel: channel, source: source, reason: reason, quarantinePath: copy.path, at: time.now())
        summary.rejected.append((source, reason))
    }

    private func quarantineURL(source: String) -> URL {
        let base = (source as NSString).lastPathComponent.replacingOccurrences(of: "/", with: "_").prefix(80)
        let stamp = DayFormat.timestamp(time.now()).replacingOccurrences(of: ":", with: "")
        return quarantine.appendingPathComponent("\(stamp)-\(UUID().uuidString.prefix(8))-\(base)")
    }

    private func quarantineCopy(_ data: Data, source: String) throws -> String {
        try FileManager.default.createDirectory(at: quarantine, withIntermediateDirectories: true)
        let url = quarantineURL(source: source)
        try data.write(to: url)
        return url.path
    }

    /// Validates one response file and stores it; never throws for bad content.
    public func process(_ data: Data, source: String, channel: ResponseChannel) throws -> Outcome {
        switch try check(data) {
        case .rejected(let reason): return .rejected(reason: reason)
        case .valid(let valid): return try commit(valid, channel: channel, source: source)
        }
    }

    /// A response checked as far as it can be on its own, in any order and on any thread.
    enum Checked {
        case rejected(String)
        case valid(Valid)
    }

    /// Answers that fit their invitation's questionnaire, with what the commit step needs.
    struct Valid {
        var context: InvitationContext
        var result: AnswerValidator.Result
        var checksum: String
        /// The canonical text of `result.answers` (what is stored, and what `checksum` is of).
        var answersJSON: String
        /// When the partner saved the file (its `saved_at`), when it says.
        var savedAt: Date?
        /// Documents embedded in the file, each for a question that asks for one.
        var documents: [EvidenceIntake.Document] = []
    }

    /// A response file read as far as it can be without the database.
    enum Parsed {
        case rejected(String)
        case parsed(ParsedFile)
    }

    /// A well-formed answer file whose checksum holds: what the token lookup and validation need.
    struct ParsedFile {
        /// The file's top-level members but the answers.
        var object: [String: JSONValue]
        var answers: AnswerMembers
        var tokenHash: String
        /// SHA-256 of `canonical`, in hex.
        var checksum: String
        /// The canonical text of `answers`.
        var canonical: [UInt8]
        /// Documents embedded in the file, each for a question.
        var documents: [EvidenceIntake.Document] = []
    }

    /// Parses the file, verifies format, token, checksum and survey version, and validates the answers.
    func check(_ data: Data) throws -> Checked {
        switch parse(data) {
        case .rejected(let reason): return .rejected(reason)
        case .parsed(let file): return try check(file, context: responses.invitation(tokenHash: file.tokenHash, at: time.now()))
        }
    }

    /// Verifies size, format, token shape and checksum: everything the file says about itself.
    func parse(_ data: Data) -> Parsed {
        guard data.count <= EvidenceIntake.maxAnswerFileBytes else { return .rejected("file larger than \(EvidenceIntake.maxAnswerFileBytes / 1_048_576) MB") }
        // A UTF-8 byte-order mark (Windows editors write one) is not part of the JSON.
        let text = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        guard let parsed = JSONParser.parseAnswerFile(text) else {
            return .rejected("not a PartnerRisk answer file (not a JSON object)")
        }
        let object = parsed.object
        guard object["format"]?.stringValue == "partner-risk-answers/1" else {
            return .rejected("not a PartnerRisk answer file (format is not partner-risk-answers/1)")
        }
        guard let token = object["token"]?.stringValue, InvitationToken.isWellFormed(token) else {
            return .rejected("the file has no valid token")
        }
        guard let answers = parsed.answers else { return .rejected("the file has no answers object") }
        let (canonical, fileChecksum) = Self.canonicalAnswers(answers, compacted: parsed.compacted, declared: object["checksum"]?.stringValue)
        var documents: [EvidenceIntake.Document] = []
        switch EvidenceIntake.embedded(in: object, answers: answers) {
        case nil:
            guard data.count <= Self.maxJSONBytes else { return .rejected("file larger than \(Self.maxJSONBytes / 1_048_576) MB and carries no documents") }
            guard let checksum = object["checksum"]?.stringValue, checksum == "sha256:" + fileChecksum else {
                return .rejected("checksum mismatch: the file was edited outside the form or damaged")
            }
        case .failure(let problem)?: return .rejected(problem.reason)
        case .success(let embedded)?: documents = embedded
        }
        return .parsed(ParsedFile(object: object, answers: answers, tokenHash: InvitationToken.hash(token), checksum: fileChecksum,
                                  canonical: canonical, documents: documents))
    }

    /// The canonical text of a file's answers and its SHA-256. The file's own answers text, white
    /// space removed, is that text when its hash is the declared checksum (the form writes keys in
    /// canonical order): then the text is not written again from the parsed answers.
    static func canonicalAnswers(_ answers: AnswerMembers, compacted: [UInt8]?, declared: String?) -> (text: [UInt8], sha256: String) {
        if let compacted, let declared, declared.hasPrefix("sha256:") {
            let hash = CanonicalJSON.hex(SHA256.hash(data: compacted))
            if declared == "sha256:" + hash { return (compacted, hash) }
        }
        let canonical = CanonicalJSON.bytes(.object(answers.dictionary))
        return (canonical, CanonicalJSON.hex(SHA256.hash(data: canonical)))
    }

    /// Checks a parsed file against its invitation (`context`, nil when the token matches none).
    func check(_ file: ParsedFile, context: InvitationContext?) throws -> Checked {
        guard let context else { return .rejected("the token matches no invitation") }
        guard context.campaign.status == "open" else { return .rejected("campaign \(context.campaign.id) is closed") }
        let survey = try survey(for: context)
        let object = file.object
        guard object["survey_id"]?.stringValue == survey.id, object["survey_version"]?.stringValue == survey.version else {
            return .rejected("the file is for survey \(object["survey_id"]?.stringValue ?? "?") \(object["survey_version"]?.stringValue ?? "?"), the invitation is for \(survey.id) \(survey.version)")
        }
        if !file.documents.isEmpty {
            let asking = Set(survey.questions(for: context.partner.sector).filter { $0.evidence.mode != .none || $0.type == .evidence }.map(\.id))
            if let stray = file.documents.first(where: { !asking.contains($0.questionID ?? "") }) {
                return .rejected("a document is attached to question \(stray.questionID ?? "?"), which asks for none")
            }
        }
        var checked = try validate(file.answers, context: context, survey: survey, checksum: file.checksum, canonical: file.canonical)
        if case .valid(var valid) = checked {
            valid.savedAt = object["saved_at"]?.stringValue.flatMap(Self.savedTime)
            valid.documents = file.documents
            checked = .valid(valid)
        }
        return checked
    }

    /// An answer file's `saved_at` (ISO 8601, as the offline form writes it); nil when absent or unreadable.
    static func savedTime(_ text: String) -> Date? {
        DayFormat.parseTimestamp(text) ?? (try? Date.ISO8601FormatStyle().parse(text))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }

    /// `checksum` (and `canonical`, its text) describe `answers` when the caller already has them.
    func validate(_ answers: AnswerMembers, context: InvitationContext, survey: Survey, checksum: String?,
                  canonical: [UInt8]? = nil) throws -> Checked {
        let result = AnswerValidator(survey: survey, sector: context.partner.sector).validate(answers)
        guard result.problems.isEmpty else {
            return .rejected("answers do not fit the questionnaire: " + result.problems.prefix(10).joined(separator: "; "))
        }
        // The validated answers are the given ones minus any hidden by a condition, values unchanged:
        // the same count means the same answers (a key given twice counts twice, so it never
        // passes for unchanged), and the given checksum and text still hold.
        if result.keptCount == answers.count, let checksum, let canonical {
            return .valid(Valid(context: context, result: result, checksum: checksum, answersJSON: String(decoding: canonical, as: UTF8.self)))
        }
        let text = CanonicalJSON.bytes(result.answers.json)
        return .valid(Valid(context: context, result: result, checksum: CanonicalJSON.hex(SHA256.hash(data: text)),
                            answersJSON: String(decoding: text, as: UTF8.self)))
    }

    /// Stores valid answers as the invitation's next revision: at once (`.queued` in an import's
    /// batch, whose outcomes reach the summary when it is written). The store decides, inside its
    /// write transaction, whether they repeat a stored revision and whether they become current.
    func commit(_ valid: Valid, channel: ResponseChannel, source: String) throws -> Outcome {
        let result = valid.result
        for document in valid.documents {
            pending.note(try evidence.store(document, invitationID: valid.context.invitationID, channel: channel, source: source, at: time.now()),
                         invitationID: valid.context.invitationID, source: source)
        }
        var response = NewResponse(invitationID: valid.context.invitationID, channel: channel, source: source, complete: result.complete,
                                   missing: result.missing, checksum: valid.checksum, answersJSON: valid.answersJSON,
                                   receivedAt: time.now(), savedAt: valid.savedAt)
        response.acknowledge = true  // the receipt is queued with the response, in its transaction
        // Validated answers go on to scoring by position only when an import scores beside it.
        let item = PendingResponses.Item(response: response, source: source, context: valid.context,
                                         positioned: onStored != nil ? result.positioned : nil)
        return try pending.add(item, into: responses) ?? .queued
    }

    /// The survey version an invitation was sent with (parsed once per version).
    public func survey(for context: InvitationContext) throws -> Survey {
        try cache.survey(context.surveyVersionID) { try surveys.survey(rowID: $0) }
    }

    /// Validates answers for a known invitation and stores them as a new revision (the step every
    /// channel shares once the token is known): a duplicate of the latest revision is not stored again.
    /// `checksum` is the canonical SHA-256 of `answers` when the caller already has it.
    public func accept(_ answers: [String: JSONValue], context: InvitationContext, survey: Survey, channel: ResponseChannel,
                       source: String, checksum: String? = nil) throws -> Outcome {
        switch try validate(AnswerMembers(answers), context: context, survey: survey, checksum: checksum) {
        case .rejected(let reason): return .rejected(reason: reason)
        case .valid(let valid): return try commit(valid, channel: channel, source: source)
        }
    }
}

/// Holds a value until a background thread drops it (see `ResponseIngest.releaseElsewhere`).
final class ReleaseBox<T>: @unchecked Sendable {
    var value: T?
    init(_ value: T) { self.value = value }
}

/// One file of a chunk: its bytes, and its check unless it is a message (checked when committed).
struct CheckedFile {
    var data: Result<Data, Error>
    var checked: Result<ResponseIngest.Checked, Error>?
    /// Over the read-ahead size: read and checked when committed, by itself.
    var readWhenCommitted = false
    /// A message decoded ahead, with the checks of its answer attachments.
    var message: PreparedMessage?

    var valid: ResponseIngest.Valid? {
        if case .success(.valid(let valid))? = checked { return valid }
        return nil
    }
}

/// A message decoded on a worker, its answer attachments checked there too.
struct PreparedMessage {
    var decoded: ReceivedMessage
    var checks: [Result<ResponseIngest.Checked, Error>]
}

/// A chunk of files being read and checked on other threads, one slot per file.
final class CheckedChunk: Sendable {
    let group = DispatchGroup()
    let files: LockedSlots<CheckedFile>

    init(count: Int) { files = LockedSlots(count: count) }

    /// Every file of the chunk, once all are checked.
    func wait() -> [CheckedFile] {
        group.wait()
        return files.all
    }
}

/// Values set from several threads, one slot per index.
final class LockedSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    subscript(index: Int) -> Value? {
        get { slots.withLock { $0[index] } }
        set { slots.withLock { $0[index] = newValue } }
    }

    /// Every slot that was set, in order (each is set before `all` is read).
    var all: [Value] { slots.withLock { $0.compactMap { $0 } } }
}

/// Accepted responses waiting to be written in one transaction, with what the store made of
/// those written (for the import's summary). With a limit of 1 each is written at once.
final class PendingResponses: Sendable {
    /// A response to write, with what the import keeps of it for scoring and its receipt.
    struct Item {
        var response: NewResponse
        var source: String
        var context: InvitationContext
        /// The validated answers by position, handed to scoring once written (nil: read back).
        var positioned: PositionedAnswers?
    }

    private struct State {
        var items: [Item] = []
        var results: [(outcome: ResponseIngest.Outcome, source: String)] = []
        var documents: [(stored: EvidenceIntake.Stored, invitationID: Int64, source: String)] = []
        /// The positioned answers of the responses written as current since the last `takeResults`.
        var known: [Int64: PositionedAnswers] = [:]
        /// The campaigns of the responses written as current (each with its thank-you) since then.
        var campaigns: Set<Int64> = []
        /// Their partners.
        var partners: Set<Int64> = []

        /// Keeps what scoring and the receipt need of a response written as current.
        mutating func noteWritten(_ outcome: ResponseIngest.Outcome, _ item: Item) {
            guard case .accepted(let id, _, _, _) = outcome else { return }
            if let positioned = item.positioned { known[id] = positioned }
            if item.response.acknowledge { campaigns.insert(item.context.campaign.id) }
            partners.insert(item.context.partner.id)
        }
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues one response and writes the batch when full; with a limit of 1, writes it at once
    /// and returns its outcome (then it is not kept for `takeResults`).
    func add(_ item: Item, into repository: ResponseRepository) throws -> ResponseIngest.Outcome? {
        if limit == 1 {
            let outcome = try Self.write([item], into: repository).first
            if let outcome { state.withLock { $0.noteWritten(outcome, item) } }
            return outcome
        }
        let full = state.withLock { state in
            state.items.append(item)
            return state.items.count >= limit
        }
        if full { try flush(into: repository) }
        return nil
    }

    /// Writes the queued responses in one transaction (the lock is held, so batches keep their order).
    func flush(into repository: ResponseRepository) throws {
        try state.withLock { state in
            guard !state.items.isEmpty else { return }
            let outcomes = try Self.write(state.items, into: repository)
            state.results += zip(outcomes, state.items.map(\.source)).map { ($0, $1) }
            for (outcome, item) in zip(outcomes, state.items) { state.noteWritten(outcome, item) }
            let written = state.items
            state.items = []
            state.items.reserveCapacity(limit)
            ResponseIngest.releaseElsewhere(written)
        }
    }

    private static func write(_ items: [Item], into repository: ResponseRepository) throws -> [ResponseIngest.Outcome] {
        let stored = try repository.storeResponses(items.map(\.response))
        return zip(items, stored).map { item, stored in ResponseIngest.Outcome(stored, item.response) }
    }

    /// Remembers what storing an embedded document did, for the summary.
    func note(_ stored: EvidenceIntake.Stored, invitationID: Int64, source: String) {
        state.withLock { $0.documents.append((stored, invitationID, source)) }
    }

    /// Counts the outcomes written (and documents stored) since the last call into `summary`;
    /// returns the positioned answers of those written as current, by response id.
    @discardableResult
    func takeResults(into summary: inout ResponseIngest.Summary) -> [Int64: PositionedAnswers] {
        let (results, documents, known, campaigns, partners) = state.withLock { state in
            defer { (state.results, state.documents, state.known, state.campaigns, state.partners) = ([], [], [:], [], []) }
            return (state.results, state.documents, state.known, state.campaigns, state.partners)
        }
        summary.acknowledgedCampaigns.formUnion(campaigns)
        summary.acceptedPartners.formUnion(partners)
        for result in results { summary.count(result.outcome, source: result.source) }
        for document in documents { summary.note(document.stored, invitationID: document.invitationID, source: document.source) }
        return known
    }
}

extension ResponseIngest.Outcome {
    /// What storing `response` came to.
    init(_ stored: StoredRevision, _ response: NewResponse) {
        switch stored {
        case .duplicate(let revision): self = .duplicate(revision: revision)
        case .stored(let id, let revision, let current?): self = .history(responseID: id, revision: revision, current: current)
        case .stored(let id, let revision, nil):
            self = .accepted(responseID: id, revision: revision, complete: response.complete, missing: response.missing)
        }
    }
}

extension ResponseIngest.Summary {
    /// Adds what storing one document did.
    mutating func note(_ stored: EvidenceIntake.Stored, invitationID: Int64, source: String) {
        switch stored {
        case .new:
            evidence += 1
            evidenceInvitations.insert(invitationID)
        case .known: break
        case .refused(let reason): evidenceNotKept.append((source, reason))
        }
    }

    /// Adds one outcome that is not a refusal (refusals are quarantined by the ingest).
    mutating func count(_ outcome: ResponseIngest.Outcome, source: String) {
        switch outcome {
        case .accepted(let id, let revision, let complete, _):
            if revision == 1 { accepted += 1 } else { revised += 1 }
            if !complete { incomplete += 1 }
            acceptedResponseIDs.append(id)
        case .history(_, let revision, let current):
            history.append((source, revision, current))  // kept, not current: no receipt, no score
        case .duplicate:
            duplicates += 1
        case .rejected, .queued:
            break
        }
    }
}

extension AnswerSet {
    /// All answers as one JSON object (N/A as `{"na": reason}`).
    public var json: JSONValue { .object(answers.mapValues(\.json)) }
}
