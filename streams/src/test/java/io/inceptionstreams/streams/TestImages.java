package io.inceptionstreams.streams;

import io.inceptionstreams.model.fashionmnist.SampleImages;
import io.inceptionstreams.schemas.avro.ImageEvent;
import io.inceptionstreams.schemas.avro.ImageReference;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Image events for tests: the bundled Fashion-MNIST samples and the bad images of each kind. */
public final class TestImages {
    private static List<SampleImages.Sample> samples;

    private TestImages() {}

    public static synchronized List<SampleImages.Sample> samples() {
        if (samples == null) {
            try {
                samples = SampleImages.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return samples;
    }

    public static ImageEvent inline(String id, byte[] bytes, String contentType) {
        return ImageEvent.newBuilder()
                .setId(id)
                .setImage(ByteBuffer.wrap(bytes))
                .setContentType(contentType)
                .setProducedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setAttributes(Map.of())
                .build();
    }

    /** The {@code index}-th bundled sample (modulo their count) as a PNG event. */
    public static ImageEvent sample(String id, int index) {
        List<SampleImages.Sample> all = samples();
        return inline(id, all.get(index % all.size()).bytes(), "image/png");
    }

    public static ImageEvent reference(String id, String uri) {
        return ImageEvent.newBuilder()
                .setId(id)
                .setImage(new ImageReference(uri, null, null))
                .setContentType("image/png")
                .setProducedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setAttributes(Map.of())
                .build();
    }

    /** A PNG cut short: recognisable as PNG, but not decodable. */
    public static ImageEvent corrupt(String id) {
        byte[] png = samples().get(0).bytes();
        return inline(id, Arrays.copyOf(png, png.length / 2), "image/png");
    }

    public static ImageEvent notAnImage(String id) {
        return inline(id, "this is not an image".getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    /** A valid PNG of {@code side} x {@code side} pixels. */
    public static byte[] png(int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A value no Avro deserializer accepts: the magic byte is not 0. */
    public static byte[] wrongMagicByte() {
        return new byte[] {7, 0, 0, 0, 1, 2, 3};
    }

    /** A well-framed value whose schema id no registry has. */
    public static byte[] unknownSchemaId() {
        return new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 3};
    }
}
