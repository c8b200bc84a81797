package io.inceptionstreams.cli.bench;

import io.inceptionstreams.model.fashionmnist.SampleImages;
import io.inceptionstreams.model.preprocess.InputSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The encoded images a benchmark sends: the bundled Fashion-MNIST samples, as they are (28x28
 * grayscale PNG) for a small single-channel model, or, for a three-channel model, enlarged to a
 * photo-like 256x256 RGB JPEG, so that decoding and resizing cost what they cost for an
 * ImageNet-sized input instead of nothing.
 *
 * @param contentType the MIME type of every image
 * @param encoded distinct images, cycled through by index
 */
record BenchImages(String contentType, List<byte[]> encoded) {

    static final int PHOTO_SIDE = 256;

    /** Images fit for a model reading {@code spec}. */
    static BenchImages forInput(InputSpec spec) throws IOException {
        List<SampleImages.Sample> samples = SampleImages.load();
        if (spec.channels() == 1) {
            return new BenchImages(
                    "image/png", samples.stream().map(SampleImages.Sample::bytes).toList());
        }
        List<byte[]> photos = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            photos.add(photo(samples.get(i).bytes(), i));
        }
        return new BenchImages("image/jpeg", photos);
    }

    /** The image of the {@code index}-th record. */
    byte[] get(int index) {
        return encoded.get(index % encoded.size());
    }

    /** A sample scaled up to {@link #PHOTO_SIDE} pixels and tinted, as a JPEG. */
    private static byte[] photo(byte[] png, int seed) {
        try {
            BufferedImage gray = ImageIO.read(new ByteArrayInputStream(png));
            BufferedImage rgb =
                    new BufferedImage(PHOTO_SIDE, PHOTO_SIDE, BufferedImage.TYPE_INT_RGB);
            int tint = seed * 37;
            for (int y = 0; y < PHOTO_SIDE; y++) {
                for (int x = 0; x < PHOTO_SIDE; x++) {
                    int v =
                            gray.getRaster()
                                    .getSample(
                                            x * gray.getWidth() / PHOTO_SIDE,
                                            y * gray.getHeight() / PHOTO_SIDE,
                                            0);
                    int r = (v + tint + x / 2) & 0xff;
                    int g = (v + y / 2) & 0xff;
                    int b = (v * 3 / 4 + tint / 3) & 0xff;
                    rgb.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(rgb, "jpeg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
