package io.tamp.datapath.nvme;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** The 4096-byte Identify data structures this subsystem answers with. */
final class IdentifyData {
    static final int BYTES = 4096;
    /** Maximum Data Transfer Size: 2^8 × 4 KiB = 1 MiB per command. */
    static final int MDTS = 8;
    static final int MAX_TRANSFER_BYTES = (1 << MDTS) * 4096;
    /** NVM namespaces use 512-byte LBAs, as the SCSI side does; 4 KiB is the preferred granularity. */
    static final int LBA_BYTES = 512;
    static final int PREFERRED_BLOCKS = 8;
    static final String FIRMWARE = "0.3.0";

    private IdentifyData() {
    }

    static void ascii(ByteBuf b, int offset, int length, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            b.setByte(offset + i, i < bytes.length ? bytes[i] : ' ');
        }
    }

    static void nqn(ByteBuf b, int offset, String nqn) {
        byte[] bytes = nqn.getBytes(StandardCharsets.UTF_8);
        b.setBytes(offset, bytes, 0, Math.min(bytes.length, 255)); // NUL-padded: the buffer is zeroed
    }

    /** Identify Controller (CNS 01h). */
    static void controller(ByteBuf b, NvmeController c, int ioCapsuleBytes) {
        b.setShortLE(0, 0x1D1D); // VID: none assigned; PCI fields are informational on fabrics
        b.setShortLE(2, 0x1D1D);
        ascii(b, 4, 20, String.format("TAMP%016X", c.subsystem().serial()));
        ascii(b, 24, 40, c.discovery() ? "Tamp discovery controller" : "Tamp Volume");
        ascii(b, 64, 8, FIRMWARE);
        b.setByte(72, 0); // RAB
        b.setByte(76, 0x02); // CMIC: may have several controllers
        b.setByte(77, MDTS);
        b.setShortLE(78, c.id());
        b.setIntLE(80, (int) Properties.VERSION);
        b.setIntLE(92, c.discovery() ? 0x8000_0000 : 1 << 8); // OAES: discovery log change / namespace attribute
        b.setByte(111, c.discovery() ? 2 : 1); // CNTRLTYPE
        b.setShortLE(256, 0); // OACS
        b.setByte(258, 3); // ACL: 4 Abort commands
        b.setByte(259, NvmeController.MAX_ASYNC_EVENTS - 1); // AERL
        b.setByte(260, 0x03); // FRMW: slot 1 read-only, one slot
        b.setByte(261, 0x04); // LPA: extended Get Log Page data
        b.setByte(262, 0); // ELPE: 1 error log entry
        b.setShortLE(320, 10); // KAS: keep alive granularity 10 × 100 ms
        b.setByte(512, 0x66); // SQES
        b.setByte(513, 0x44); // CQES
        b.setShortLE(514, Properties.MQES + 1); // MAXCMD
        b.setIntLE(516, c.discovery() ? 0 : NvmeController.MAX_NSID); // NN
        b.setShortLE(520, c.discovery() ? 0 : 0x0D); // ONCS: Compare, Dataset Management, Write Zeroes
        b.setByte(525, c.discovery() ? 0 : 0x07); // VWC present; Flush of NSID FFFFFFFFh supported
        // SGLS: SGLs supported; a data block may be longer than the data; offsets in data blocks
        b.setIntLE(536, 1 | 1 << 18 | 1 << 20);
        nqn(b, 768, c.subsystemNqn());
        b.setIntLE(1792, ioCapsuleBytes / 16); // IOCCSZ
        b.setIntLE(1796, 1); // IORCSZ
        b.setShortLE(1800, 0); // ICDOFF
        b.setByte(1802, 0); // FCATT: dynamic controller model
        b.setByte(1803, 1); // MSDBD
    }

    /** Identify Namespace (CNS 00h) of a volume. */
    static void namespace(ByteBuf b, Namespace ns) {
        long blocks = ns.volume().sizeBytes() / LBA_BYTES;
        long used = ns.volume().mappedBlocks() * (4096 / LBA_BYTES);
        b.setLongLE(0, blocks); // NSZE
        b.setLongLE(8, blocks); // NCAP
        b.setLongLE(16, Math.min(used, blocks)); // NUSE: what is allocated, from the engine
        // NSFEAT: thin provisioned, NAWUN/NAWUPF valid, NGUID never reused, NPWG.. valid
        b.setByte(24, 0x01 | 0x02 | 0x08 | 0x10);
        // A write of up to 4 KiB is atomic even across a power failure (its blocks commit in one
        // batch, copy-on-write), at any LBA: no atomic boundary (NABSN = NABSPF = 0). Linux takes
        // min(NPWG, NAWUPF) + 1 blocks as the physical block size: 4 KiB.
        b.setShortLE(34, PREFERRED_BLOCKS - 1); // NAWUN
        b.setShortLE(36, PREFERRED_BLOCKS - 1); // NAWUPF
        b.setByte(25, 0); // NLBAF: one format
        b.setByte(26, 0); // FLBAS: format 0
        b.setByte(33, 0x01 | 0x08); // DLFEAT: deallocated blocks read zeros; Write Zeroes may deallocate
        b.setShortLE(64, PREFERRED_BLOCKS - 1); // NPWG
        b.setShortLE(66, PREFERRED_BLOCKS - 1); // NPWA
        b.setShortLE(68, PREFERRED_BLOCKS - 1); // NPDG
        b.setShortLE(70, PREFERRED_BLOCKS - 1); // NPDA
        b.setShortLE(72, PREFERRED_BLOCKS - 1); // NOWS
        b.setBytes(104, ns.nguid()); // NGUID
        b.setByte(128 + 2, 9); // LBAF0: LBADS 9 (512 bytes), no metadata
    }

    /** Namespace Identification Descriptor list (CNS 03h): NGUID, UUID, command set. */
    static void descriptors(ByteBuf b, Namespace ns) {
        int at = 0;
        b.setByte(at, 0x02).setByte(at + 1, 16); // NGUID
        b.setBytes(at + 4, ns.nguid());
        at += 20;
        b.setByte(at, 0x03).setByte(at + 1, 16); // UUID
        b.setBytes(at + 4, ns.uuid());
        at += 20;
        b.setByte(at, 0x04).setByte(at + 1, 1); // CSI: NVM
        b.setByte(at + 4, 0);
    }
}
