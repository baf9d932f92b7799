#include <zlib.h>

/* inflateInit is a macro (it passes the header's version and sizeof(z_stream)), which Swift cannot call. */
static inline int gitopsd_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
