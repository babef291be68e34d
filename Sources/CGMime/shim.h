#ifndef CGMIME_SHIM_H
#define CGMIME_SHIM_H
/* GMime 3 for Swift: its type checks and casts are macros, which Swift cannot call, so each one
   used is wrapped here as a static inline function; so is reading a part's decoded content. */
#include <gmime/gmime.h>

static inline int cgmime_is_part(GMimeObject *object) { return GMIME_IS_PART(object); }
static inline int cgmime_is_multipart(GMimeObject *object) { return GMIME_IS_MULTIPART(object); }
static inline int cgmime_is_message_part(GMimeObject *object) { return GMIME_IS_MESSAGE_PART(object); }
static inline GMimePart *cgmime_as_part(GMimeObject *object) { return GMIME_PART(object); }
static inline GMimeMultipart *cgmime_as_multipart(GMimeObject *object) { return GMIME_MULTIPART(object); }
static inline GMimeMessagePart *cgmime_as_message_part(GMimeObject *object) { return GMIME_MESSAGE_PART(object); }
static inline GMimeObject *cgmime_message_object(GMimeMessage *message) { return GMIME_OBJECT(message); }
static inline void cgmime_unref(void *object) { if (object) g_object_unref(object); }

/* A parser over a copy of `length` bytes (it keeps its own reference to the stream). */
static inline GMimeParser *cgmime_parser(const char *bytes, size_t length) {
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, length);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_object_unref(stream);
    return parser;
}

/* Parses `length` bytes as a message (NULL when GMime finds none). Unref the result. */
static inline GMimeMessage *cgmime_parse_message(const char *bytes, size_t length) {
    GMimeParser *parser = cgmime_parser(bytes, length);
    GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    return message;
}

/* Parses `length` bytes as one MIME entity (headers, blank line, body). Unref the result. */
static inline GMimeObject *cgmime_parse_entity(const char *bytes, size_t length) {
    GMimeParser *parser = cgmime_parser(bytes, length);
    GMimeObject *object = g_mime_parser_construct_part(parser, NULL);
    g_object_unref(parser);
    return object;
}

/* A leaf part's content with its transfer encoding undone, as a new GByteArray
   (NULL when it has none). Free it with g_byte_array_free(array, TRUE). */
static inline GByteArray *cgmime_part_content(GMimePart *part) {
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (!content) return NULL;
    GMimeStream *memory = g_mime_stream_mem_new();
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(memory), FALSE);
    g_mime_data_wrapper_write_to_stream(content, memory);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory));
    g_object_unref(memory);
    return bytes;
}

/* The media type `type/subtype` in lower case, as a new string (free with g_free). */
static inline char *cgmime_mime_type(GMimeObject *object) {
    GMimeContentType *type = g_mime_object_get_content_type(object);
    if (!type) return g_strdup("text/plain");
    char *text = g_mime_content_type_get_mime_type(type);
    char *lower = g_ascii_strdown(text, -1);
    g_free(text);
    return lower;
}

/* Decodes RFC 2047 encoded words in a header value, as a new string (free with g_free). */
static inline char *cgmime_decode_header_text(const char *text) { return g_mime_utils_header_decode_text(NULL, text); }
#endif
