package io.tamp.metadata.store;

/** A metadata record that cannot be decoded: the store is damaged, not the caller's input. */
public class CorruptMetadataException extends RuntimeException {
    public CorruptMetadataException(String message) {
        super(message);
    }
}
