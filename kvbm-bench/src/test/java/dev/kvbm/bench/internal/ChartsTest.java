package dev.kvbm.bench.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvbm.bench.Metric;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 23: a chart of one point per series (the smoke run's host-copy.png) still shows the memcpy point. */
class ChartsTest {

    @Test
    void aOnePointSeriesShowsItsReferencePoint(@TempDir Path dir) throws Exception {
        // The reference (memcpy) at twice the figure: its marker sits well above the measured dot.
        Metric m = Metric.of("host/copy/262144", "host-copy", 262_144, "memcpy engine", 5.0, 0.1, "GB/s", 10.0, 0.1, true);
        Path file = dir.resolve("host-copy.png");
        assertTrue(Charts.draw(List.of(m), "host copies", "block bytes", "libc memcpy", file));
        BufferedImage img = ImageIO.read(file.toFile());
        // Where the point is drawn: x at the left edge of the plot (one x), y = 10 of a 12-high axis.
        int plotH = 600 - 50 - 60;
        int px = 80;
        int py = 50 + plotH - (int) (10.0 / 12.0 * plotH);
        int series = 0x1f77b4;
        boolean marked = false;
        for (int dx = -5; dx <= 5 && !marked; dx++) {
            for (int dy = -5; dy <= 5 && !marked; dy++) {
                int x = px + dx;
                int y = py + dy;
                if (x >= 0 && y >= 0 && (img.getRGB(x, y) & 0xFFFFFF) == series) {
                    marked = true;
                }
            }
        }
        assertTrue(marked, "the reference point is drawn in the series' colour at (" + px + ", " + py + ")");
    }
}
