package io.tamp.metadata.store;

/** RocksDB failed underneath us (I/O error, full disk): the operation did not take effect. */
public class MetadataIoException extends RuntimeException {
    public MetadataIoException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
