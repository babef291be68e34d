import CCurl
import Foundation
import PartnerRiskCore

/// IMAP settings for reading returned answers. The password never appears in `summary`.
public struct IMAPSettings: Sendable {
    /// `imaps://host[:port]/MAILBOX` or `imap://host[:port]/MAILBOX`.
    public var url: String
    public var tls: SMTPSettings.TLSMode
    public var username: String?
    public var password: String?
    public var caFile: String?
    public var timeout: Int

    public init(url: String, tls: SMTPSettings.TLSMode = .required, username: String? = nil, password: String? = nil, caFile: String? = nil, timeout: Int = 60) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.timeout = timeout
    }

    /// `imaps://host:port` and the mailbox name.
    public var serverAndMailbox: (server: String, mailbox: String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return (url, "INBOX") }
        let mailbox = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? "INBOX"
        return (String(url[..<slash]), mailbox.isEmpty ? "INBOX" : mailbox)
    }
}

/// Reads a mailbox over IMAP through libcurl: UIDVALIDITY, UIDs, whole messages, and moves.
public final class CurlIMAPClient: MailboxReader {
    private let handle: UnsafeMutableRawPointer
    private let settings: IMAPSettings
    private let server: String
    public let mailbox: String
    fileprivate var buffer = Data()
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    public init(settings: IMAPSettings) throws {
        guard settings.url.hasPrefix("imap://") || settings.url.hasPrefix("imaps://"), let parts = settings.serverAndMailbox else {
            throw PartnerRiskError.badInput("--imap \(settings.url) must look like imaps://host/INBOX or imap://host:port/INBOX")
        }
        CurlLibrary.ensureInitialized()
        guard let handle = curl_easy_init() else { throw PartnerRiskError.failed("libcurl could not create a handle") }
        self.handle = handle
        self.settings = settings
        server = parts.server
        mailbox = parts.mailbox
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private var mailboxURL: String {
        server + "/" + (mailbox.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? mailbox)
    }

    /// Runs one IMAP request and returns what the server wrote back.
    func run(_ url: String, command: String?) throws -> Data {
        curl_easy_reset(handle)
        buffer = Data()
        errorBuffer[0] = 0
        pr_curl_setopt_string(handle, CURLOPT_URL, url)
        pr_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        pr_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
        pr_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        pr_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        if settings.url.hasPrefix("imap://") {
            let mode: curl_usessl = settings.tls == .required ? CURLUSESSL_ALL : (settings.tls == .optional ? CURLUSESSL_TRY : CURLUSESSL_NONE)
            pr_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(mode.rawValue))
        }
        if let ca = settings.caFile { pr_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        if let user = settings.username { pr_curl_setopt_string(handle, CURLOPT_USERNAME, user) }
        if let password = settings.password { pr_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        if let command { pr_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, command) }
        pr_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, imapWriteCallback)
        pr_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw PartnerRiskError.failed("IMAP \(command ?? "FETCH") on \(server): \(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)")
        }
        return buffer
    }

    public func uidValidity() throws -> Int64 {
        let text = String(decoding: try run(server + "/", command: "EXAMINE \"\(mailbox)\""), as: UTF8.self)
        guard let range = text.range(of: "UIDVALIDITY "), let value = Int64(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw PartnerRiskError.failed("the IMAP server did not report UIDVALIDITY for \(mailbox)")
        }
        return value
    }

    public func uids() throws -> [Int64] {
        let text = String(decoding: try run(mailboxURL, command: "UID SEARCH ALL"), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("* SEARCH") }
            .flatMap { $0.split(separator: " ").dropFirst(2).compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }.sorted()
    }

    public func fetch(uid: Int64) throws -> Data { try run(mailboxURL + "/;UID=\(uid)", command: nil) }

    public func move(uid: Int64, to target: String) throws {
        _ = try? run(server + "/", command: "CREATE \"\(target)\"")
        _ = try run(mailboxURL, command: "UID MOVE \(uid) \"\(target)\"")
    }
}

private let imapWriteCallback: pr_curl_io_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let client = Unmanaged<CurlIMAPClient>.fromOpaque(context).takeUnretainedValue()
    client.buffer.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
    return size * count
}
