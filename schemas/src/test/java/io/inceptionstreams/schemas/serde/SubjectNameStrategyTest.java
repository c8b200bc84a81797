package io.inceptionstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionstreams.schemas.avro.ImageEvent;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubjectNameStrategyTest {
    private static final Schema IMAGE_EVENT = ImageEvent.getClassSchema();

    /** A strategy of the application's own, configured by class name. */
    public static final class Fixed implements SubjectNameStrategy {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return "fixed";
        }
    }

    @ParameterizedTest
    @CsvSource({
        "io.confluent.kafka.serializers.subject.TopicNameStrategy, false, images-value",
        "io.confluent.kafka.serializers.subject.TopicNameStrategy, true, images-key",
        "TopicNameStrategy, false, images-value",
        "io.inceptionstreams.schemas.serde.TopicNameStrategy, true, images-key",
        "io.confluent.kafka.serializers.subject.RecordNameStrategy, false,"
                + " io.inceptionstreams.schemas.avro.ImageEvent",
        "RecordNameStrategy, true, io.inceptionstreams.schemas.avro.ImageEvent",
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, false,"
                + " images-io.inceptionstreams.schemas.avro.ImageEvent",
        "TopicRecordNameStrategy, true, images-io.inceptionstreams.schemas.avro.ImageEvent",
        "io.inceptionstreams.schemas.serde.SubjectNameStrategyTest$Fixed, false, fixed",
    })
    void shouldNameSubjectsAsConfluentStrategiesDo(
            String strategy, boolean isKey, String expectedSubject) {
        assertThat(SubjectNameStrategy.forName(strategy).subjectName("images", isKey, IMAGE_EVENT))
                .isEqualTo(expectedSubject);
    }

    @Test
    void shouldRejectAnUnknownStrategy() {
        assertThatThrownBy(
                        () ->
                                SubjectNameStrategy.forName(
                                        "io.confluent.kafka.serializers.subject.NoSuchStrategy"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("NoSuchStrategy");
    }

    @Test
    void shouldRejectAClassThatIsNotAStrategy() {
        assertThatThrownBy(() -> SubjectNameStrategy.forName("java.lang.String"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldRefuseRecordNamesForUnnamedSchemas() {
        Schema array = Schema.createArray(IMAGE_EVENT);

        assertThatThrownBy(() -> new RecordNameStrategy().subjectName("images", false, array))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("ARRAY");
    }
}
