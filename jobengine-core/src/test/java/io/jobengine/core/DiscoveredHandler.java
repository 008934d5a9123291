package io.jobengine.core;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;

/** Listed in this module's test META-INF/services: found by ServiceLoader discovery. */
public final class DiscoveredHandler implements JobHandler<String> {
  static final String TYPE = "discovered-by-service-loader";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<String> payloadType() {
    return String.class;
  }

  @Override
  public void run(String payload, JobContext context) {
    context.progress(100, "ran " + payload);
  }
}
