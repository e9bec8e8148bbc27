//! The LD_PRELOAD shim (issue 6). Nothing here yet: gemu works without it for everything but char-device stat and fd-returning ioctls.
