package io.jobengine;

import io.jobengine.spi.EnqueueResult;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.NewJob;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/** The client over a store: encodes and checks payloads before any write, then calls the store. */
final class StoreJobClient implements JobClient {

  private final JobStore store;
  private final PayloadCodec codec;

  StoreJobClient(JobStore store, PayloadCodec codec) {
    this.store = store;
    this.codec = codec;
  }

  static PayloadCodec discoverCodec() {
    Iterator<PayloadCodec> found = ServiceLoader.load(PayloadCodec.class).iterator();
    if (!found.hasNext()) {
      throw new IllegalStateException(
          "No PayloadCodec found through ServiceLoader: add jobengine-core to the class path, "
              + "or pass a codec with JobClient.of(store, codec)");
    }
    return found.next();
  }

  @Override
  public JobId enqueue(JobRequest request) {
    return store.enqueue(List.of(toNewJob(request))).get(0).id();
  }

  @Override
  public List<JobId> enqueueAll(List<JobRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    if (requests.isEmpty()) {
      return List.of();
    }
    List<NewJob> jobs = new ArrayList<>(requests.size());
    for (JobRequest r : requests) {
      jobs.add(toNewJob(r));
    }
    List<JobId> ids = new ArrayList<>(jobs.size());
    for (EnqueueResult result : store.enqueue(jobs)) {
      ids.add(result.id());
    }
    return List.copyOf(ids);
  }

  @Override
  public JobId enqueue(Connection connection, JobRequest request) {
    Objects.requireNonNull(connection, "connection");
    return store.enqueue(connection, toNewJob(request)).id();
  }

  @Override
  public Optional<JobInfo> get(JobId id) {
    return store.get(Objects.requireNonNull(id, "id"));
  }

  @Override
  public JobPage list(JobQuery query) {
    return store.list(Objects.requireNonNull(query, "query"));
  }

  @Override
  public CancelResult cancel(JobId id) {
    return store.cancel(Objects.requireNonNull(id, "id"));
  }

  @Override
  public boolean retry(JobId id) {
    return store.retry(Objects.requireNonNull(id, "id"));
  }

  @Override
  public List<NodeInfo> nodes() {
    return store.nodes();
  }

  private NewJob toNewJob(JobRequest request) {
    Objects.requireNonNull(request, "request");
    String json;
    try {
      json = codec.encode(request.payload());
    } catch (PayloadException e) {
      throw new PayloadException(
          "Cannot enqueue job " + request.id() + " (type '" + request.type() + "'): "
              + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Not the codec's own PayloadException: its message may quote the payload, so leave it out.
      throw PayloadException.withSanitizedCause(
          "Cannot encode the payload of job " + request.id() + " (type '" + request.type() + "', "
              + describe(request.payload()) + "): the codec " + codec.getClass().getName()
              + " threw " + e.getClass().getName(), e);
    }
    if (json == null) {
      throw new PayloadException(
          "The codec encoded the payload of job " + request.id() + " as null; "
              + "a codec must return JSON text (\"null\" for a null payload)");
    }
    int limit = store.maxPayloadBytes();
    // A UTF-8 byte is at most one char's worth below 4x: check chars first to skip the encoding.
    if ((long) json.length() * 3 > limit) {
      int bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limit) {
        throw new PayloadException(
            "The payload of job " + request.id() + " (type '" + request.type() + "') is " + bytes
                + " bytes of JSON, over the store's limit of " + limit
                + " bytes; store large data elsewhere and pass a reference");
      }
    }
    // Unset stays unset: the claiming node's handler policy decides (see ClaimRequest).
    return new NewJob(
        request.id(),
        request.type(),
        request.queue(),
        request.priority(),
        json,
        request.runAt(),
        request.delay(),
        request.maxAttempts(),
        request.timeout(),
        request.uniqueKey());
  }

  private static String describe(Object payload) {
    return payload == null ? "null payload" : "payload class " + payload.getClass().getName();
  }

  @Override
  public String toString() {
    return "JobClient[store=" + store + ", codec=" + codec.getClass().getSimpleName() + "]";
  }
}
