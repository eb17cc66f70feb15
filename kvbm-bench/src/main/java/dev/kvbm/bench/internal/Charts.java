package dev.kvbm.bench.internal;

import dev.kvbm.bench.Metric;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Line charts as PNG with plain Java2D (headless): x on a log2 scale, one colour per series, and each
 * series' in-run reference drawn beside it as a dashed line of the same colour with a hollow square at each point.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x17becf), new Color(0x8c564b), new Color(0xe377c2)};
    private static final int W = 960;
    private static final int H = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 260;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private Charts() {
    }

    /** Draws {@code metrics} (one group); returns false when there is nothing to draw. */
    public static boolean draw(List<Metric> metrics, String title, String xLabel, String referenceName, Path file) {
        if (metrics.isEmpty()) {
            return false;
        }
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Metric>> series = new LinkedHashMap<>();
        for (Metric m : metrics) {
            series.computeIfAbsent(m.series(), k -> new ArrayList<>()).add(m);
        }
        double xMin = metrics.stream().mapToDouble(Metric::x).min().orElse(1);
        double xMax = metrics.stream().mapToDouble(Metric::x).max().orElse(2);
        // Scaled to the figures, not to their error bars, which are clipped at the frame.
        double yMax = metrics.stream().mapToDouble(m -> Math.max(m.value(), m.reference())).max().orElse(1);
        yMax = yMax <= 0 ? 1 : yMax * 1.2;
        if (xMax <= xMin) {
            xMax = xMin * 2;
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int plotW = W - LEFT - RIGHT;
            int plotH = H - TOP - BOTTOM;
            g.drawRect(LEFT, TOP, plotW, plotH);
            double lx0 = log2(xMin);
            double lx1 = log2(xMax);
            for (Metric m : metrics) { // x ticks at every measured x
                int px = LEFT + (int) ((log2(m.x()) - lx0) / (lx1 - lx0) * plotW);
                g.setColor(new Color(0xdddddd));
                g.drawLine(px, TOP, px, TOP + plotH);
                g.setColor(Color.BLACK);
                g.drawString(label(m.x()), px - 15, TOP + plotH + 18);
            }
            for (int i = 0; i <= 5; i++) {
                int py = TOP + plotH - i * plotH / 5;
                g.setColor(new Color(0xeeeeee));
                g.drawLine(LEFT, py, LEFT + plotW, py);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.3g", yMax * i / 5), 8, py + 4);
            }
            g.drawString(xLabel + " (log scale)", LEFT + plotW / 2 - 60, H - 15);
            g.drawString(metrics.getFirst().unit(), 8, TOP - 10);
            int legendY = TOP + 10;
            int c = 0;
            for (Map.Entry<String, List<Metric>> e : series.entrySet()) {
                Color color = PALETTE[c++ % PALETTE.length];
                List<Metric> points = new ArrayList<>(e.getValue());
                points.sort(Comparator.comparingDouble(Metric::x));
                polyline(g, points, color, false, lx0, lx1, yMax, plotW, plotH);
                polyline(g, points, color, true, lx0, lx1, yMax, plotW, plotH);
                g.setColor(color);
                g.setStroke(new BasicStroke(2));
                g.drawLine(LEFT + plotW + 12, legendY, LEFT + plotW + 32, legendY);
                g.setColor(Color.BLACK);
                g.drawString(e.getKey(), LEFT + plotW + 38, legendY + 4);
                legendY += 18;
                g.setColor(color);
                g.setStroke(new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
                g.drawLine(LEFT + plotW + 12, legendY, LEFT + plotW + 32, legendY);
                g.setColor(Color.DARK_GRAY);
                g.drawString(referenceName, LEFT + plotW + 38, legendY + 4);
                legendY += 24;
                g.setStroke(new BasicStroke(1));
            }
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file, e);
        }
        return true;
    }

    private static void polyline(Graphics2D g, List<Metric> points, Color color, boolean reference, double lx0,
                                 double lx1, double yMax, int plotW, int plotH) {
        g.setColor(color);
        g.setStroke(reference
                ? new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0)
                : new BasicStroke(2));
        int prevX = -1;
        int prevY = -1;
        for (Metric m : points) {
            double y = reference ? m.reference() : m.value();
            int px = LEFT + (int) ((log2(m.x()) - lx0) / (lx1 - lx0) * plotW);
            int py = TOP + plotH - (int) (y / yMax * plotH);
            if (!reference) {
                if (Double.isFinite(m.error())) {
                    int err = (int) (m.error() / yMax * plotH);
                    g.drawLine(px, Math.max(TOP, py - err), px, Math.min(TOP + plotH, py + err)); // error bar, clipped
                }
                g.fillOval(px - 3, py - 3, 6, 6);
            } else {
                // A hollow square per reference point: a one-point series (the smoke run) still shows its reference.
                g.setStroke(new BasicStroke(2));
                g.drawRect(px - 4, py - 4, 8, 8);
                g.setStroke(new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            }
            if (prevX >= 0) {
                g.drawLine(prevX, prevY, px, py);
            }
            prevX = px;
            prevY = py;
        }
    }

    private static double log2(double v) {
        return Math.log(Math.max(v, 1e-9)) / Math.log(2);
    }

    private static String label(double x) {
        if (x >= 1_000_000) {
            return String.format(Locale.ROOT, "%.0fM", x / 1e6);
        }
        if (x >= 1000 && x % 1000 == 0) {
            return String.format(Locale.ROOT, "%.0fk", x / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", x);
    }
}
