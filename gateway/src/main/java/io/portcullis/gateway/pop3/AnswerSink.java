package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;

/**
 * Where the bytes of one upstream answer go: to the client unchanged, or to the gateway itself
 * (listings and messages it fetches to build the virtual maildrop). Called on the event loop.
 */
interface AnswerSink {

  /** A slice of the answer, status line and dot-stuffing included; the sink releases it. */
  void bytes(ByteBuf slice);

  /** The answer is complete. */
  void complete();

  /** The session ended before the answer was complete; release what is held. */
  default void abort() {}
}
