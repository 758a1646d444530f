package io.tamp.metadata.fingerprint;

/** Runs the {@link FingerprintIndex} contract over the heap implementation. */
class InMemoryFingerprintIndexTest extends FingerprintIndexContract {

    @Override
    protected FingerprintIndex create(long maxEntries) {
        return new InMemoryFingerprintIndex();
    }
}
