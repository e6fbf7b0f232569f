package io.portcullis.gateway.server;

/** Names of pipeline handlers, in one place so every stage is found and replaced by name. */
public final class HandlerNames {
  /** PROXY protocol v1/v2 decoder, first on listeners behind a load balancer. */
  public static final String PROXY = "proxy";

  /** TLS (SslHandler or SniHandler), first after PROXY. */
  public static final String TLS = "tls";

  /** Closes idle sessions. */
  public static final String IDLE = "idle";

  /** Bounded line framer (pre-login commands, upstream status lines). */
  public static final String FRAMER = "framer";

  /** The protocol front end before login. */
  public static final String FRONT_END = "front-end";

  /** The relay after login. */
  public static final String RELAY = "relay";

  /** The upstream login flow. */
  public static final String UPSTREAM_LOGIN = "upstream-login";

  private HandlerNames() {}
}
