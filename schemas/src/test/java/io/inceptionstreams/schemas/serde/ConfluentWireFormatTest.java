package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void shouldWriteMagicByteAndBigEndianSchemaId() {
        assertThat(ConfluentWireFormat.header(0x01020304))
                .containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
    }

    @Test
    void shouldReadBackTheSchemaId() {
        byte[] frame = {0x00, 0x7f, (byte) 0xff, 0x00, 0x2a, 0x55};

        assertThat(ConfluentWireFormat.schemaId(frame)).isEqualTo(0x7fff002a);
    }

    @Test
    void shouldRejectUnknownMagicByte() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0x01, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("magic byte 0x01");
    }

    @Test
    void shouldRejectFrameShorterThanHeader() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0x00, 0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("4 bytes");
    }
}
