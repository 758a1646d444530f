package io.tamp.datapath.pool;

/**
 * Where segments live: segment {@code s} is on device {@code s % deviceCount} at byte
 * {@code DATA_START_BYTES + (s / deviceCount) * segmentBytes}. Striping consecutive
 * segments across devices spreads sequential allocation over every drive.
 */
record PoolLayout(int segmentBytes, long deviceBytes, int deviceCount) {

    PoolLayout {
        if (deviceCount < 1) {
            throw new IllegalArgumentException("device count must be at least 1, was " + deviceCount);
        }
        if (segmentBytes < Pool.MIN_SEGMENT_BYTES || segmentBytes > Pool.MAX_SEGMENT_BYTES
                || Integer.bitCount(segmentBytes) != 1) {
            throw new IllegalArgumentException("segment size must be a power of two between "
                    + Pool.MIN_SEGMENT_BYTES + " and " + Pool.MAX_SEGMENT_BYTES + " bytes, was " + segmentBytes);
        }
        if (deviceBytes < Pool.DATA_START_BYTES + segmentBytes) {
            throw new IllegalArgumentException("device size " + deviceBytes + " bytes leaves no room for one "
                    + segmentBytes + "-byte segment after the " + Pool.DATA_START_BYTES + "-byte reserved region");
        }
        long segmentCount = ((deviceBytes - Pool.DATA_START_BYTES) / segmentBytes) * deviceCount;
        if (segmentCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(deviceCount + " devices of " + deviceBytes + " bytes hold "
                    + segmentCount + " segments of " + segmentBytes + " bytes, more than " + Integer.MAX_VALUE
                    + "; use larger segments");
        }
    }

    int segmentsPerDevice() {
        return (int) ((deviceBytes - Pool.DATA_START_BYTES) / segmentBytes);
    }

    int segmentCount() {
        return segmentsPerDevice() * deviceCount;
    }

    int deviceOf(int segment) {
        return segment % deviceCount;
    }

    long deviceOffsetBytes(int segment, int offsetInSegment) {
        return Pool.DATA_START_BYTES + (long) (segment / deviceCount) * segmentBytes + offsetInSegment;
    }
}
