package io.tamp.datapath.pool;

import java.io.IOException;
import java.nio.file.Path;

/** A pool device that cannot be created or opened: the message names the device and the problem. */
public class PoolException extends IOException {
    private static final long serialVersionUID = 1L;

    public PoolException(String message) {
        super(message);
    }

    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "device /dev/x: problem", the shape of every device-specific message. */
    static PoolException device(Path device, String problem) {
        return new PoolException("device " + device + ": " + problem);
    }

    static PoolException device(Path device, String problem, Throwable cause) {
        return new PoolException("device " + device + ": " + problem, cause);
    }
}
