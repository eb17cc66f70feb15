package dev.kvbm.transport.zmq.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.api.ErrorCode;
import dev.kvbm.api.KvbmException;
import dev.kvbm.api.Tier;
import dev.kvbm.api.spi.BlockPair;
import dev.kvbm.api.spi.TransferRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compact transfer JSON against the generic JSON path it short-cuts: same bytes out, same requests in. */
class CompactTransferJsonTest {
    private static final Tier[] POOLS = {Tier.G1, Tier.G2, Tier.G3};

    private static TransferRequest random(SplittableRandom rnd) {
        int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1, 70);
        List<BlockPair> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pairs.add(new BlockPair(index(rnd), index(rnd)));
        }
        return new TransferRequest(POOLS[rnd.nextInt(3)], POOLS[rnd.nextInt(3)], pairs);
    }

    private static int index(SplittableRandom rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> Integer.MAX_VALUE - rnd.nextInt(3);
            case 2 -> rnd.nextInt(10);
            default -> rnd.nextInt(Integer.MAX_VALUE);
        };
    }

    @Test
    void writesTheBytesOfTheGenericWriter() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            TransferRequest r = random(rnd);
            assertTrue(CompactTransferJson.writes(r));
            byte[] compact = CompactTransferJson.write(r);
            assertArrayEquals(DynamoCodec.transferJson(r), compact, r::toString);
            assertEquals(r, CompactTransferJson.read(compact), r::toString);
            assertEquals(r, DynamoCodec.parseTransfer(compact), r::toString);
        }
    }

    @Test
    void aLargeRequestRoundTrips() {
        List<BlockPair> pairs = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            pairs.add(new BlockPair(i, Integer.MAX_VALUE - i));
        }
        TransferRequest r = new TransferRequest(Tier.G2, Tier.G3, pairs);
        byte[] frame = DynamoCodec.INSTANCE.encodeTransfer(r);
        assertArrayEquals(DynamoCodec.transferJson(r), frame);
        assertEquals(r, CompactTransferJson.read(frame));
    }

    @Test
    void leavesConnectorRequestsAndUnnamedTiersToTheGenericWriter() {
        TransferRequest withConnector = new TransferRequest(Tier.G3, Tier.G1, List.of(new BlockPair(1, 2)),
                Optional.of("{\"request_id\":\"r\"}"));
        assertFalse(CompactTransferJson.writes(withConnector));
        assertEquals("{\"from_pool\":\"Disk\",\"to_pool\":\"Device\",\"blocks\":[[1,2]],\"connector_req\":"
                + "{\"request_id\":\"r\"}}", new String(DynamoCodec.INSTANCE.encodeTransfer(withConnector), StandardCharsets.UTF_8));
        TransferRequest g4 = new TransferRequest(Tier.G4, Tier.G1, List.of());
        assertFalse(CompactTransferJson.writes(g4));
        KvbmException e = assertThrows(KvbmException.class, () -> DynamoCodec.INSTANCE.encodeTransfer(g4));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void anyOtherSpellingIsLeftToTheGenericParser() {
        for (String other : List.of(
                "{\"to_pool\":\"Host\",\"from_pool\":\"Device\",\"blocks\":[[0,1]]}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,1]],\"connector_req\":null}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,1]],\"extra\":1}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,1]],\"x\":\"\u00e9\"}")) {
            byte[] frame = other.getBytes(StandardCharsets.UTF_8);
            assertNull(CompactTransferJson.read(frame), other);
            assertNotNull(DynamoCodec.INSTANCE.decodeTransfer(frame), other);
        }
        // not plain ASCII: whatever the generic path makes of it (a byte order mark, a non-ASCII pool name)
        for (String other : List.of("\uFEFF{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[]}",
                "{\"from_pool\":\"D\u00e9vice\",\"to_pool\":\"Host\",\"blocks\":[]}")) {
            assertNull(CompactTransferJson.read(other.getBytes(StandardCharsets.UTF_8)), other);
        }
        // Jackson would guess UTF-16 from the zero bytes; the generic path reads strict UTF-8 only
        String plain = "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[]}";
        byte[] utf16 = plain.getBytes(StandardCharsets.UTF_16LE);
        assertNull(CompactTransferJson.read(utf16));
        assertThrows(KvbmException.class, () -> DynamoCodec.INSTANCE.decodeTransfer(utf16));
        // an overlong UTF-8 'D', which a strict decoder rejects
        byte[] overlong = plain.replace("Device", "?evice").getBytes(StandardCharsets.US_ASCII);
        overlong = insertAt(overlong, plain.indexOf("Device"), (byte) 0xC1, (byte) 0x84);
        assertNull(CompactTransferJson.read(overlong));
        byte[] overlongFrame = overlong;
        assertThrows(KvbmException.class, () -> DynamoCodec.INSTANCE.decodeTransfer(overlongFrame));
    }

    /** What the token sequence allows besides the leader's spelling reads to the request the generic path reads. */
    @Test
    void whitespaceAndEscapesReadTheSameOnBothPaths() {
        for (String variant : List.of(
                " {\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[]}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[ ]}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0, 1]]}",
                "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":[[0,1]]}\n",
                "{ \"from_pool\" : \"\\u0044evice\",\r\n\t\"to_pool\":\"Host\" , \"blocks\":[[0,1] ,[2,3]] }")) {
            byte[] frame = variant.getBytes(StandardCharsets.UTF_8);
            TransferRequest compact = CompactTransferJson.read(frame);
            assertNotNull(compact, variant);
            assertEquals(DynamoCodec.parseTransfer(frame), compact, variant);
        }
    }

    private static byte[] insertAt(byte[] b, int at, byte... inserted) {
        byte[] c = new byte[b.length - 1 + inserted.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(inserted, 0, c, at, inserted.length);
        System.arraycopy(b, at + 1, c, at + inserted.length, b.length - at - 1);
        return c;
    }

    @Test
    void badCompactLookingFramesGetTheGenericErrors() {
        String head = "{\"from_pool\":\"Device\",\"to_pool\":\"Host\",\"blocks\":";
        assertField("blocks[0][0]", head + "[[2147483648,1]]}");
        assertField("blocks[0][0]", head + "[[99999999999,1]]}");
        assertField("blocks[1][1]", head + "[[0,1],[2,-3]]}");
        assertField("blocks[0][1]", head + "[[0,-0]]}");
        assertField("to_pool", "{\"from_pool\":\"Device\",\"to_pool\":\"Hostess\",\"blocks\":[]}");
        for (String bad : List.of(head + "[[0,1],]}", head + "[[0,1]]", head + "[[0,1]]}}", head + "[[0,1]",
                head + "[[0,1]]}x", head + "[[0,01]]}", head + "[[0,1.0]]}", head.substring(0, head.length() - 3))) {
            byte[] frame = bad.getBytes(StandardCharsets.UTF_8);
            assertNull(CompactTransferJson.read(frame), bad);
            KvbmException e = assertThrows(KvbmException.class, () -> DynamoCodec.INSTANCE.decodeTransfer(frame), bad);
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), bad);
        }
    }

    /** Mutations of compact frames: whatever the fast path accepts, the generic parser reads to the same request. */
    @Test
    void acceptsOnlyWhatTheGenericParserReadsTheSame() {
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] alphabet = "0123456789[],{}\":_abdefhiklnoprstvDHx -.".getBytes(StandardCharsets.US_ASCII);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] frame = CompactTransferJson.write(random(rnd));
            for (int m = rnd.nextInt(1, 3); m > 0; m--) {
                frame = mutate(rnd, frame, alphabet);
            }
            TransferRequest compact = CompactTransferJson.read(frame);
            if (compact == null) {
                continue;
            }
            accepted++;
            String text = new String(frame, StandardCharsets.UTF_8);
            assertEquals(compact, DynamoCodec.parseTransfer(frame), text);
        }
        assertTrue(accepted > 1_000, "some mutations stay compact (digits changed): " + accepted);
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] frame, byte[] alphabet) {
        int at = rnd.nextInt(frame.length);
        byte b = rnd.nextInt(8) == 0 ? (byte) rnd.nextInt(256) : alphabet[rnd.nextInt(alphabet.length)];
        return switch (rnd.nextInt(3)) {
            case 0 -> {
                byte[] c = frame.clone();
                c[at] = b;
                yield c;
            }
            case 1 -> {
                byte[] c = new byte[frame.length + 1];
                System.arraycopy(frame, 0, c, 0, at);
                c[at] = b;
                System.arraycopy(frame, at, c, at + 1, frame.length - at);
                yield c;
            }
            default -> {
                byte[] c = new byte[frame.length - 1];
                System.arraycopy(frame, 0, c, 0, at);
                System.arraycopy(frame, at + 1, c, at, frame.length - at - 1);
                yield frame.length > 1 ? c : Arrays.copyOf(frame, frame.length);
            }
        };
    }

    private static void assertField(String field, String json) {
        KvbmException e = assertThrows(KvbmException.class,
                () -> DynamoCodec.INSTANCE.decodeTransfer(json.getBytes(StandardCharsets.UTF_8)), json);
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), json);
        assertEquals(Optional.of(field), e.field(), e.getMessage());
    }
}
