package io.jobengine.mysql;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 between the store and the MySQL server that can cut off one COMMIT:
 * when armed, on the next client packet that is a COM_QUERY of {@code COMMIT}, it closes the
 * client's side at once, so the client sees the connection break with its COMMIT sent, and hands
 * the COMMIT to the server at once ({@link Cut#FORWARD}), after a delay ({@link Cut#DELAY}), or
 * never ({@link Cut#DROP}, the server session staying open, as after a network partition). Needs a plain
 * connection ({@code sslMode=DISABLED}) to read the packets.
 */
final class CutCommitProxy implements AutoCloseable {

  /** What happens to the COMMIT that is cut off. */
  enum Cut {
    /** Reaches the server at once, but its reply never reaches the client. */
    FORWARD,
    /** Reaches the server after the delay, then the server side is closed. */
    DELAY,
    /** Never reaches the server; the server side stays open until the proxy closes. */
    DROP
  }

  private static final int COM_QUERY = 3;
  private static final Pattern HOST_PORT =
      Pattern.compile("^jdbc:mysql://([^:/?]+)(?::(\\d+))?(/[^?]*)(?:\\?(.*))?$");

  private final ServerSocket listener;
  private final String upstreamHost;
  private final int upstreamPort;
  private final Duration delay;
  private final AtomicReference<Cut> armed = new AtomicReference<>();
  private volatile CountDownLatch cutDone = new CountDownLatch(1);
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicInteger threadNumber = new AtomicInteger();
  private final ExecutorService pumps =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "cut-commit-proxy-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private final ScheduledExecutorService later =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cut-commit-proxy-delay");
            t.setDaemon(true);
            return t;
          });

  /** Starts a proxy to the server of {@code jdbcUrl}. */
  CutCommitProxy(String jdbcUrl, Duration delay) throws IOException {
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("Cannot proxy " + jdbcUrl);
    }
    this.upstreamHost = m.group(1);
    this.upstreamPort = m.group(2) == null ? 3306 : Integer.parseInt(m.group(2));
    this.delay = delay;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pumps.execute(this::accept);
  }

  /** The URL of {@code jdbcUrl}'s database through this proxy, without TLS. */
  String url(String jdbcUrl) {
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("Cannot proxy " + jdbcUrl);
    }
    String query = m.group(4) == null ? "" : m.group(4) + "&";
    return "jdbc:mysql://127.0.0.1:" + listener.getLocalPort() + m.group(3) + "?" + query
        + "sslMode=DISABLED&allowPublicKeyRetrieval=true";
  }

  /** Cuts off the next COMMIT any client sends. */
  void cutNextCommit(Cut cut) {
    cutDone = new CountDownLatch(1);
    armed.set(cut);
  }

  /** Waits until a cut-off COMMIT has been delivered or dropped. */
  boolean awaitCutDone(Duration timeout) throws InterruptedException {
    return cutDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(upstreamHost, upstreamPort);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(server);
        }
        AtomicReference<Cut> cut = new AtomicReference<>();
        pumps.execute(() -> fromServer(server, client, cut));
        pumps.execute(() -> fromClient(client, server, cut));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void fromServer(Socket server, Socket client, AtomicReference<Cut> cut) {
    byte[] buffer = new byte[8192];
    try (InputStream in = server.getInputStream()) {
      OutputStream out = client.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (cut.get() == null) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(client);
      if (cut.get() != Cut.DROP) {
        closeQuietly(server);
      }
    }
  }

  private void fromClient(Socket client, Socket server, AtomicReference<Cut> cut) {
    try {
      DataInputStream in = new DataInputStream(client.getInputStream());
      OutputStream out = server.getOutputStream();
      byte[] header = new byte[4];
      while (true) {
        in.readFully(header);
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (isCommit(header, payload)) {
          Cut now = armed.getAndSet(null);
          if (now != null) {
            CountDownLatch done = cutDone;
            cut.set(now);
            closeQuietly(client);
            if (now == Cut.FORWARD) {
              deliver(server, header, payload, done);
            } else if (now == Cut.DELAY) {
              later.schedule(() -> deliver(server, header, payload, done), delay.toMillis(),
                  TimeUnit.MILLISECONDS);
            } else {
              done.countDown();
            }
            return;
          }
        }
        out.write(header);
        out.write(payload);
        out.flush();
      }
    } catch (IOException e) {
      if (cut.get() == null) {
        closeQuietly(server);
      }
    }
  }

  private static void deliver(
      Socket server, byte[] header, byte[] payload, CountDownLatch done) {
    try {
      OutputStream out = server.getOutputStream();
      out.write(header);
      out.write(payload);
      out.flush();
      server.shutdownOutput();
    } catch (IOException e) {
      // the server side is gone already (the session was killed): nothing to deliver to
    } finally {
      done.countDown();
    }
  }

  private static boolean isCommit(byte[] header, byte[] payload) {
    return header[3] == 0
        && payload.length > 0
        && payload[0] == COM_QUERY
        && new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8)
            .trim()
            .equalsIgnoreCase("commit");
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    synchronized (sockets) {
      sockets.forEach(CutCommitProxy::closeQuietly);
    }
    later.shutdownNow();
    pumps.shutdownNow();
  }
}
