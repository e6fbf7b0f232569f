package io.portcullis.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;

/**
 * An SniHandler (RFC 6066 §3) that leaves its SslHandler under its own pipeline name, so the
 * gateway finds the TLS handler under one name whether or not SNI is configured. Not shareable; one
 * per channel.
 */
final class NamedSniHandler extends SniHandler {
  NamedSniHandler(
      Mapping<? super String, ? extends SslContext> mapping, long handshakeTimeoutMillis) {
    super(mapping, handshakeTimeoutMillis);
  }

  @Override
  protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) {
    SslHandler handler = newSslHandler(sslContext, ctx.alloc());
    try {
      ctx.pipeline().replace(this, ctx.name(), handler);
      handler = null;
    } finally {
      if (handler != null) {
        ReferenceCountUtil.safeRelease(handler.engine());
      }
    }
  }
}
