#!/usr/bin/env python3
"""The Python pipeline a user might write instead of the service, as the peer of `bench`.

A confluent-kafka consumer reads ImageEvents (Avro in Confluent's wire format: magic byte 0, 4-byte
big-endian schema id, Avro binary; the writer schema fetched once per id from the registry's
GET /schemas/ids/{id}), decodes and resizes each image with Pillow exactly as the service does
(cover, center-crop, scale to 0..1, normalise per channel), runs batches of up to BATCH_SIZE
images (or whatever arrived within MAX_BATCH_DELAY_MS) through torchvision's GoogLeNet with
random weights and the same input shape and class count, and produces one LabelEvent per image
(the schema registered under LABELS_TOPIC-value, same wire format). Offsets are committed
automatically, as in most consumer examples.

It runs until stopped (SIGTERM or SIGINT); `inception-streams bench --peer-command` starts it with
its settings in the environment:
  BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, IMAGES_TOPIC, LABELS_TOPIC, GROUP_ID, BATCH_SIZE,
  MAX_BATCH_DELAY_MS, TOP_K, INPUT_WIDTH, INPUT_HEIGHT, INPUT_CHANNELS, INPUT_MEAN, INPUT_STD
  (comma-separated, 0..1 pixel scale), CLASSES, LABEL_SCHEMA (the LabelEvent schema, JSON), THREADS.

Needs the Debian packages python3-confluent-kafka, python3-avro, python3-torch, python3-torchvision,
python3-pil and python3-numpy (run it with /usr/bin/python3).
"""
import datetime
import io
import json
import os
import signal
import struct
import sys
import time
import urllib.request


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"python_pipeline: environment variable {name} is not set")
    return value


class Registry:
    """The little of the Confluent REST API a client needs: schemas by id, and registering one."""

    def __init__(self, url):
        self.url = url.split(",")[0].rstrip("/")
        self.by_id = {}

    def _call(self, method, path, body=None):
        request = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json",
                     "Accept": "application/vnd.schemaregistry.v1+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def schema(self, schema_id):
        import avro.schema
        if schema_id not in self.by_id:
            text = self._call("GET", f"/schemas/ids/{schema_id}")["schema"]
            self.by_id[schema_id] = avro.schema.parse(text)
        return self.by_id[schema_id]

    def register(self, subject, schema_text):
        return self._call("POST", f"/subjects/{subject}/versions", {"schema": schema_text})["id"]


class WireFormat:
    """Confluent's framing around Avro binary."""

    def __init__(self, registry):
        self.registry = registry
        self.readers = {}

    def decode(self, frame):
        import avro.io
        if len(frame) < 5 or frame[0] != 0:
            raise ValueError("not a Confluent Avro frame (magic byte)")
        schema_id = struct.unpack(">I", frame[1:5])[0]
        reader = self.readers.get(schema_id)
        if reader is None:
            reader = avro.io.DatumReader(self.registry.schema(schema_id))
            self.readers[schema_id] = reader
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(frame[5:])))

    @staticmethod
    def encode(schema_id, writer, datum):
        import avro.io
        out = io.BytesIO()
        out.write(b"\x00" + struct.pack(">I", schema_id))
        writer.write(datum, avro.io.BinaryEncoder(out))
        return out.getvalue()


class Preprocessor:
    """Resize to cover the target, center-crop, scale to 0..1, normalise: the service's recipe."""

    def __init__(self, width, height, channels, mean, std):
        import numpy as np
        self.width, self.height, self.channels = width, height, channels
        self.mode = "L" if channels == 1 else "RGB"
        self.mean = np.array(mean, dtype=np.float32).reshape(channels, 1, 1)
        self.std = np.array(std, dtype=np.float32).reshape(channels, 1, 1)

    def __call__(self, encoded):
        import numpy as np
        from PIL import Image
        image = Image.open(io.BytesIO(encoded)).convert(self.mode)
        cover = max(self.width / image.width, self.height / image.height)
        w = max(self.width, round(image.width * cover))
        h = max(self.height, round(image.height * cover))
        image = image.resize((w, h), Image.BILINEAR)
        left, top = (w - self.width) // 2, (h - self.height) // 2
        image = image.crop((left, top, left + self.width, top + self.height))
        pixels = np.asarray(image, dtype=np.float32) / 255.0
        pixels = pixels[None, :, :] if self.channels == 1 else pixels.transpose(2, 0, 1)
        return (pixels - self.mean) / self.std


def default_of(field):
    """A value for a LabelEvent field this script does not know (a newer schema's default)."""
    return field.get_prop("default") if hasattr(field, "get_prop") else field.default


def main():
    import numpy as np
    import torch
    import torchvision
    import avro.io
    import avro.schema
    from confluent_kafka import Consumer, Producer, KafkaError

    threads = int(env("THREADS", str(os.cpu_count() or 1)))
    torch.set_num_threads(threads)
    batch_size = int(env("BATCH_SIZE", "16"))
    max_delay = int(env("MAX_BATCH_DELAY_MS", "20")) / 1000.0
    top_k = int(env("TOP_K", "5"))
    width, height = int(env("INPUT_WIDTH")), int(env("INPUT_HEIGHT"))
    channels, classes = int(env("INPUT_CHANNELS")), int(env("CLASSES"))
    mean = [float(v) for v in env("INPUT_MEAN").split(",")]
    std = [float(v) for v in env("INPUT_STD").split(",")]
    images_topic, labels_topic = env("IMAGES_TOPIC"), env("LABELS_TOPIC")

    model = torchvision.models.googlenet(
        weights=None, aux_logits=False, init_weights=True, num_classes=classes)
    if channels != 3:
        model.conv1.conv = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    model.eval()
    labels = [f"class-{c}" for c in range(classes)]
    preprocess = Preprocessor(width, height, channels, mean, std)

    registry = Registry(env("SCHEMA_REGISTRY_URL"))
    wire = WireFormat(registry)
    label_schema_text = env("LABEL_SCHEMA")
    label_schema = avro.schema.parse(label_schema_text)
    label_schema_id = registry.register(f"{labels_topic}-value", label_schema_text)
    label_writer = avro.io.DatumWriter(label_schema)
    extra_fields = {f.name: default_of(f) for f in label_schema.fields
                    if f.name not in ("image_id", "labels", "model", "event_time", "classified_at",
                                      "batch_size", "queue_ms", "inference_ms")}

    consumer = Consumer({
        "bootstrap.servers": env("BOOTSTRAP_SERVERS"),
        "group.id": env("GROUP_ID", "python-pipeline"),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
    })
    producer = Producer({"bootstrap.servers": env("BOOTSTRAP_SERVERS"), "linger.ms": 5})
    consumer.subscribe([images_topic])

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    print(f"python_pipeline: torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"{threads} threads, batch {batch_size}, {width}x{height}x{channels}/{classes}",
          file=sys.stderr, flush=True)

    labelled = 0
    with torch.inference_mode():
        while not stopping:
            messages = consumer.consume(num_messages=batch_size, timeout=max_delay)
            started = time.perf_counter()
            keys, events, tensors = [], [], []
            for message in messages:
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        print(f"python_pipeline: {message.error()}", file=sys.stderr)
                    continue
                try:
                    event = wire.decode(message.value())
                    image = event["image"]
                    if not isinstance(image, (bytes, bytearray)):
                        raise ValueError("image references are not supported")
                    tensors.append(preprocess(image))
                except Exception as e:  # a bad image is skipped, as most consumers do
                    print(f"python_pipeline: skipping {message.key()}: {e}", file=sys.stderr)
                    continue
                keys.append(message.key())
                events.append((event, message.timestamp()[1]))
            if not tensors:
                producer.poll(0)
                continue
            inference_started = time.perf_counter()
            scores = model(torch.from_numpy(np.stack(tensors))).softmax(1)
            confidences, indices = scores.topk(min(top_k, classes), dim=1)
            inference_ms = (time.perf_counter() - inference_started) * 1000
            now = datetime.datetime.now(datetime.timezone.utc)
            for i, (event, timestamp_ms) in enumerate(events):
                datum = {
                    "image_id": event["id"],
                    "labels": [{"label": labels[c], "class_index": int(c), "confidence": float(p)}
                               for p, c in zip(confidences[i].tolist(), indices[i].tolist())],
                    "model": {"name": "torchvision-googlenet", "version": torchvision.__version__},
                    "event_time": datetime.datetime.fromtimestamp(
                        timestamp_ms / 1000, datetime.timezone.utc),
                    "classified_at": now,
                    "batch_size": len(events),
                    "queue_ms": (inference_started - started) * 1000,
                    "inference_ms": inference_ms,
                    **extra_fields,
                }
                producer.produce(labels_topic, key=keys[i],
                                 value=WireFormat.encode(label_schema_id, label_writer, datum))
            producer.poll(0)
            labelled += len(events)
    producer.flush(10)
    consumer.close()
    print(f"python_pipeline: labelled {labelled} images", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
