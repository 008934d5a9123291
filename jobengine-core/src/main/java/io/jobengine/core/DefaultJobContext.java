package io.jobengine.core;

import io.jobengine.JobContext;
import io.jobengine.JobId;
import io.jobengine.JobStoppedException;
import java.sql.Connection;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The {@link JobContext} of one attempt: a view of its {@link RunningJob}. */
final class DefaultJobContext implements JobContext {
  private final RunningJob running;
  private final String nodeName;
  private final Instant deadline;
  private final TransactionalCompleter completer;

  DefaultJobContext(
      RunningJob running, String nodeName, Instant deadline, TransactionalCompleter completer) {
    this.running = running;
    this.nodeName = nodeName;
    this.deadline = deadline;
    this.completer = completer;
  }

  @Override
  public JobId jobId() {
    return running.id();
  }

  @Override
  public String type() {
    return running.job().type();
  }

  @Override
  public String queue() {
    return running.job().queue();
  }

  @Override
  public String nodeName() {
    return nodeName;
  }

  @Override
  public int attempt() {
    return running.job().attempt();
  }

  @Override
  public int maxAttempts() {
    return running.job().maxAttempts();
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public long fencingToken() {
    return running.lease().token();
  }

  @Override
  public void progress(int percent, String message) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be between 0 and 100, got " + percent);
    }
    running.progress(percent, message);
  }

  @Override
  public void warn(String message) {
    running.warn(Objects.requireNonNull(message, "message"));
  }

  @Override
  public boolean isStopRequested() {
    return running.stopReason() != null;
  }

  @Override
  public Optional<JobStoppedException.Reason> stopReason() {
    return Optional.ofNullable(running.stopReason());
  }

  @Override
  public void checkpoint() {
    JobStoppedException.Reason reason = running.stopReason();
    if (reason != null) {
      throw new JobStoppedException(reason, message(reason));
    }
  }

  @Override
  public void completeInTransaction(Connection connection) {
    completer.complete(running, connection);
  }

  private String message(JobStoppedException.Reason reason) {
    String job = "Job " + running.id() + " (attempt " + attempt() + ")";
    return switch (reason) {
      case CANCELED -> job + " was canceled";
      case LEASE_LOST -> job + " lost its lease on node " + nodeName
          + "; another node may run it and nothing this attempt writes will land";
      case TIMED_OUT -> job + " ran past its timeout of " + running.timeout();
      case SHUTDOWN -> job + " is being stopped because node " + nodeName
          + " is shutting down; it will run again";
    };
  }
}
