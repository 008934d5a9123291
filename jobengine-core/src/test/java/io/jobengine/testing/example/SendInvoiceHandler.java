package io.jobengine.testing.example;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The handler of the README's "Testing your handlers": mails an invoice; a mail server that is
 * down fails the attempt, which is retried a minute later (give or take 10%).
 */
public final class SendInvoiceHandler implements JobHandler<SendInvoiceHandler.Invoice> {

  /**
   * The payload.
   *
   * @param customer the customer's mail address
   * @param cents the amount due
   */
  public record Invoice(String customer, long cents) {}

  /** Sends mail; tests pass a fake. */
  public interface Mailer {
    /**
     * Sends a mail.
     *
     * @param to the address
     * @param text the text
     * @throws IOException if the mail server cannot be reached
     */
    void send(String to, String text) throws IOException;
  }

  private final Mailer mailer;

  /**
   * @param mailer where mail goes
   */
  public SendInvoiceHandler(Mailer mailer) {
    this.mailer = mailer;
  }

  @Override
  public String type() {
    return "send-invoice";
  }

  @Override
  public Class<Invoice> payloadType() {
    return Invoice.class;
  }

  @Override
  public Optional<RetryPolicy> retryPolicy() {
    return Optional.of(
        RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMinutes(1)).jitter(0.1).build());
  }

  @Override
  public void run(Invoice invoice, JobContext ctx) throws IOException {
    ctx.checkpoint();
    String text = String.format("Amount due: %d.%02d", invoice.cents() / 100, invoice.cents() % 100);
    mailer.send(invoice.customer(), text);
  }
}
