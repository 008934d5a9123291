package io.jobengine.testing.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import io.jobengine.testing.ManualJobEngine;
import io.jobengine.testing.example.SendInvoiceHandler.Invoice;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's "Testing your handlers" example, as a user writes it: public API only (this package
 * is not {@code io.jobengine.testing}), no database, no threads, no sleeps.
 */
class SendInvoiceHandlerTest {

  /** A mail server that is down for the first {@code failures} mails. */
  static final class FakeMailer implements SendInvoiceHandler.Mailer {
    final List<String> sent = new ArrayList<>();
    int failures;

    @Override
    public void send(String to, String text) throws IOException {
      if (failures > 0) {
        failures--;
        throw new IOException("mail server down");
      }
      sent.add(to + ": " + text);
    }
  }

  private final FakeMailer mailer = new FakeMailer();
  private final ManualJobEngine engine =
      ManualJobEngine.builder().handler(new SendInvoiceHandler(mailer)).start();

  @AfterEach
  void closeEngine() {
    engine.close();
  }

  @Test
  void an_invoice_is_mailed() {
    JobId id =
        engine.client().enqueue(JobRequest.of("send-invoice", new Invoice("ada@example.com", 4200)));

    engine.runDue(); // claims the job and runs it on this thread

    assertThat(engine.client().get(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(mailer.sent).containsExactly("ada@example.com: Amount due: 42.00");
  }

  @Test
  void a_mail_server_that_is_down_costs_one_attempt_and_the_retry_comes_a_minute_later() {
    mailer.failures = 1;
    JobId id =
        engine.client().enqueue(JobRequest.of("send-invoice", new Invoice("ada@example.com", 4200)));

    assertThat(engine.runDue()).isEqualTo(1); // attempt 1 fails
    JobInfo job = engine.client().get(id).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.lastError()).contains("mail server down");

    engine.clock().advance(Duration.ofSeconds(53)); // before the earliest retry (1 min - 10%)
    assertThat(engine.runDue()).isZero();
    engine.clock().advance(Duration.ofSeconds(14)); // past the latest (1 min + 10%)
    assertThat(engine.runDue()).isEqualTo(1); // attempt 2 succeeds

    job = engine.client().get(id).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(mailer.sent).containsExactly("ada@example.com: Amount due: 42.00");
  }
}
