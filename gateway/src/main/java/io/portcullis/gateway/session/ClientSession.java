package io.portcullis.gateway.session;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.tls.ServerTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What the gateway knows about one client connection, kept under one channel attribute. Confined to
 * the channel's event loop: not thread-safe.
 */
public final class ClientSession {
  private static final AttributeKey<ClientSession> KEY = AttributeKey.valueOf("portcullis.session");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String id;
  private final Channel channel;
  private final ListenerConfig listener;
  private InetSocketAddress source;
  private boolean tlsActive;
  private volatile Optional<X509Certificate> peer; // null until first asked after TLS
  private String user;
  private int badCommands;
  private int authFailures;

  private ClientSession(
      Channel channel, ListenerConfig listener, InetSocketAddress source, boolean tlsActive) {
    this.channel = channel;
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    this.id = HexFormat.of().formatHex(bytes);
    this.listener = listener;
    this.source = source;
    this.tlsActive = tlsActive;
  }

  /** Attaches a new session to a freshly accepted channel. */
  public static ClientSession attach(Channel channel, ListenerConfig listener) {
    ClientSession session =
        new ClientSession(channel, listener, (InetSocketAddress) channel.remoteAddress(), false);
    channel.attr(KEY).set(session);
    return session;
  }

  /** The session of a channel accepted by a listener. */
  public static ClientSession of(Channel channel) {
    ClientSession session = channel.attr(KEY).get();
    if (session == null) {
      throw new IllegalStateException("channel has no session");
    }
    return session;
  }

  /** A short random id that ties log lines of one connection together. */
  public String id() {
    return id;
  }

  public ListenerConfig listener() {
    return listener;
  }

  /** The client's address: the socket peer, or the one a PROXY protocol header gave. */
  public InetSocketAddress source() {
    return source;
  }

  public InetAddress sourceAddress() {
    return source.getAddress();
  }

  /** Replaces the source with the client address from a trusted PROXY protocol header. */
  public void sourceFromProxy(InetSocketAddress client) {
    this.source = client;
  }

  public boolean tlsActive() {
    return tlsActive;
  }

  /** The client certificate the TLS handshake verified, if one was presented. */
  public Optional<X509Certificate> peerCertificate() {
    if (!tlsActive || listener.tls().clientAuth().equals("none")) {
      // No certificate was asked for: asking the engine would only build an exception.
      return Optional.empty();
    }
    Optional<X509Certificate> known = peer;
    if (known == null) {
      SslHandler ssl = channel.pipeline().get(SslHandler.class);
      known = ssl == null ? Optional.empty() : ServerTls.peerCertificate(ssl);
      peer = known;
    }
    return known;
  }

  /** The negotiated TLS version (e.g. TLSv1.3), empty before TLS. Safe from any thread. */
  public Optional<String> tlsVersion() {
    if (!tlsActive) {
      return Optional.empty();
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    return ssl == null ? Optional.empty() : Optional.of(ssl.engine().getSession().getProtocol());
  }

  public void tlsEstablished() {
    this.tlsActive = true;
    this.peer = null;
  }

  /** The authenticated user, or null before login. */
  public String user() {
    return user;
  }

  public void authenticated(String user) {
    this.user = user;
  }

  /** Counts one bad command and returns the total so far. */
  public int badCommand() {
    return ++badCommands;
  }

  /** Counts one failed login and returns the total so far. */
  public int authFailure() {
    return ++authFailures;
  }

  /** Forgets what was learned before TLS: only counters survive (THREATS S3). */
  public void resetAfterTls() {
    this.user = null;
  }
}
