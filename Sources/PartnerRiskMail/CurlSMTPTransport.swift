import CCurl
import Foundation
import PartnerRiskCore

/// SMTP settings for the libcurl transport. The password never appears in `summary`.
public struct SMTPSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// STARTTLS must succeed, or nothing is sent (the default).
        case required
        /// STARTTLS when the server offers it.
        case optional
        /// Plain text (only for a relay on the same machine).
        case none
    }

    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    public var tls: TLSMode
    public var username: String?
    public var password: String?
    /// A CA certificate file to trust (for a private relay's certificate).
    public var caFile: String?
    public var connectTimeout: Int
    public var timeout: Int

    public init(url: String, tls: TLSMode = .required, username: String? = nil, password: String? = nil,
                caFile: String? = nil, connectTimeout: Int = 10, timeout: Int = 60) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// Makes libcurl SMTP transports, one connection each.
public struct CurlSMTPTransportFactory: MailTransportFactory {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    public var summary: String {
        "smtp \(settings.url) (tls \(settings.tls.rawValue)\(settings.username.map { ", user \($0)" } ?? ""))"
    }

    public func makeTransport() throws -> MailTransport {
        guard settings.url.hasPrefix("smtp://") || settings.url.hasPrefix("smtps://") else {
            throw PartnerRiskError.badInput("SMTP URL \(settings.url) must start with smtp:// or smtps://")
        }
        return try CurlSMTPTransport(settings: settings)
    }
}

/// One libcurl easy handle, reused for every message so the connection stays open.
final class CurlSMTPTransport: MailTransport {
    private var handle: UnsafeMutableRawPointer
    private let settings: SMTPSettings
    private var recipients: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    fileprivate var upload = UploadState()
    fileprivate var lastReply = ""
    /// The first 4xx/5xx line of a transfer: the reply to the failing command (RCPT, DATA), kept
    /// so that what libcurl says afterwards (the reply to QUIT, "221 Bye") does not replace it.
    fileprivate var failureReply: String?
    /// Whether the server said 354 (go ahead with the data) during this transfer.
    fileprivate var dataAccepted = false

    init(settings: SMTPSettings) throws {
        CurlLibrary.ensureInitialized()
        guard let handle = curl_easy_init() else { throw PartnerRiskError.failed("libcurl could not create a handle") }
        self.handle = handle
        self.settings = settings
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        if let recipients { curl_slist_free_all(recipients) }
        errorBuffer.deallocate()
    }

    private func configure() {
        pr_curl_setopt_string(handle, CURLOPT_URL, settings.url)
        pr_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        pr_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        pr_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        pr_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout)
        pr_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        let useSSL: curl_usessl
        switch settings.tls {
        case .required: useSSL = CURLUSESSL_ALL
        case .optional: useSSL = CURLUSESSL_TRY
        case .none: useSSL = CURLUSESSL_NONE
        }
        if settings.url.hasPrefix("smtp://") {
            pr_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(useSSL.rawValue))
        }
        if let caFile = settings.caFile { pr_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let username = settings.username { pr_curl_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = settings.password { pr_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        pr_curl_setopt_callback(handle, CURLOPT_READFUNCTION, curlReadCallback)
        pr_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        pr_curl_setopt_debug(handle, curlDebugCallback)
        pr_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context)
        pr_curl_setopt_long(handle, CURLOPT_VERBOSE, 1)
    }

    func deliver(_ mail: OutgoingMail) -> DeliveryOutcome {
        if let recipients { curl_slist_free_all(recipients) }
        recipients = nil
        for recipient in mail.recipients { recipients = curl_slist_append(recipients, "<\(recipient)>") }
        pr_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.envelopeFrom)>")
        pr_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        pr_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(mail.data.count))
        upload = UploadState(bytes: [UInt8](mail.data), offset: 0)
        lastReply = ""
        failureReply = nil
        dataAccepted = false
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var responseCode = 0
        pr_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        let outcome = classify(code: code, responseCode: responseCode)
        // After any error the connection is not trusted again: a timed-out one may still deliver
        // its late reply, which the next message would read as its own. A new handle, a new connection.
        if code != CURLE_OK { renewHandle() }
        return outcome
    }

    private func renewHandle() {
        guard let fresh = curl_easy_init() else { return }
        curl_easy_cleanup(handle)
        handle = fresh
        configure()
    }

    private func classify(code: CURLcode, responseCode: Int) -> DeliveryOutcome {
        let reply = failureReply ?? (lastReply.isEmpty ? (responseCode > 0 ? String(responseCode) : "") : lastReply)
        if code == CURLE_OK { return .accepted(reply: reply.isEmpty ? "250" : reply) }
        let detail = String(cString: errorBuffer)
        let message = [reply, detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail]
            .filter { !$0.isEmpty }.joined(separator: " — ")
        let failureCode = failureReply.flatMap { Int($0.prefix(3)) } ?? responseCode
        if (500..<600).contains(failureCode) { return .permanentFailure(reply: message) }
        if (400..<500).contains(failureCode) { return .temporaryFailure(reply: message) }
        // The data went out whole and then nothing: the server may have the message.
        if dataAccepted && upload.offset == upload.bytes.count {
            return .uncertain(reply: "no reply after the message was sent (\(message)); the server may or may not have it")
        }
        if code == CURLE_USE_SSL_FAILED {
            return .temporaryFailure(reply: "the server does not offer STARTTLS and --tls required is set (\(message))")
        }
        return .temporaryFailure(reply: message)
    }

    fileprivate func recordServerLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first, first.isNumber else { return }
        lastReply = trimmed
        let code = Int(trimmed.prefix(3)) ?? 0
        if code == 354 { dataAccepted = true }
        if code >= 400 && failureReply == nil { failureReply = trimmed }
    }
}

struct UploadState {
    var bytes: [UInt8] = []
    var offset = 0
}

private let curlReadCallback: pr_curl_io_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transport = Unmanaged<CurlSMTPTransport>.fromOpaque(context).takeUnretainedValue()
    let remaining = transport.upload.bytes.count - transport.upload.offset
    let length = min(size * count, remaining)
    guard length > 0 else { return 0 }
    transport.upload.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + transport.upload.offset, byteCount: length)  // length > 0: a base address
    }
    transport.upload.offset += length
    return length
}

private let curlDebugCallback: pr_curl_debug_callback = { _, type, data, size, context in
    guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
    let transport = Unmanaged<CurlSMTPTransport>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    for line in text.split(whereSeparator: \.isNewline) { transport.recordServerLine(String(line)) }
    return 0
}
