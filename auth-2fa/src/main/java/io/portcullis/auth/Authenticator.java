package io.portcullis.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import io.portcullis.auth.bearer.BearerResult;
import io.portcullis.auth.bearer.BearerValidator;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.throttle.CaffeineThrottleStore;
import io.portcullis.auth.throttle.Throttle;
import io.portcullis.auth.throttle.ThrottleStore;
import io.portcullis.auth.totp.CaffeineReplayGuard;
import io.portcullis.auth.totp.ReplayGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of the module: decides whether credentials authenticate a user, after throttling,
 * according to {@link AuthSettings.Mode}. All work runs on virtual threads; the returned future
 * never completes exceptionally, and the caller (a Netty event loop) never blocks. Thread-safe.
 */
public final class Authenticator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private final AuthSettings settings;
  private final Throttle throttle;
  private final Optional<LocalVerifier> local;
  private final Optional<BearerValidator> bearer;
  private final Optional<UserDirectory> directory;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AutoCloseable owned;

  private Authenticator(Builder b) {
    this.settings = b.settings;
    this.throttle = new Throttle(settings.throttle(), b.throttleStore, b.clock);
    this.directory = b.directory;
    this.bearer = b.bearerValidator;
    this.local =
        b.directory.map(
            d ->
                new LocalVerifier(
                    settings, d, b.hasher, b.secretBox.orElseThrow(), b.replayGuard, b.clock));
    this.owned = b.owned;
  }

  /** A builder that creates every collaborator from {@code settings} unless one is given. */
  public static Builder builder(AuthSettings settings) {
    return new Builder(settings);
  }

  /** The user directory, for reloading on change; empty in passthrough mode without one. */
  public Optional<UserDirectory> directory() {
    return directory;
  }

  /**
   * Authenticates one attempt. Never completes exceptionally.
   *
   * <p>Every failure is a {@link AuthResult.Failure} whose delay the gateway applies before it
   * answers with its uniform failure text. The caller destroys the credentials' secret once the
   * future has completed, not before.
   */
  public CompletableFuture<AuthResult> authenticate(AuthRequest request) {
    Objects.requireNonNull(request, "request");
    if (settings.mode() == AuthSettings.Mode.PASSTHROUGH && throttle.nonBlocking()) {
      // Pass-through decides from the in-memory throttle alone: nothing here can block, so the
      // caller's thread (an event loop) does it and no thread hand-off is paid per login.
      try {
        return CompletableFuture.completedFuture(decide(request));
      } catch (RuntimeException e) {
        return CompletableFuture.completedFuture(new AuthResult.Unavailable("internal-error"));
      }
    }
    try {
      return CompletableFuture.supplyAsync(() -> decide(request), executor)
          .exceptionally(e -> new AuthResult.Unavailable("internal-error"));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(new AuthResult.Unavailable("shutting-down"));
    }
  }

  /**
   * Records that the upstream refused passed-through credentials (passthrough mode), so throttling
   * still applies.
   *
   * @return the delay to apply before answering the client
   */
  public Duration recordUpstreamFailure(AuthRequest request) {
    return throttle.recordFailure(request.source(), request.credentials().user());
  }

  /** Records that the upstream accepted passed-through credentials (passthrough mode). */
  public void recordUpstreamSuccess(AuthRequest request) {
    throttle.recordSuccess(request.source(), request.credentials().user());
  }

  private AuthResult decide(AuthRequest request) {
    Credentials credentials = request.credentials();
    if (credentials instanceof PasswordCredentials p
        && !p.authzid().isEmpty()
        && !p.authzid().equals(p.user())) {
      // Acting as another user (RFC 4616 authzid) is not offered.
      return new AuthResult.Failure("authzid-not-allowed", Duration.ZERO);
    }
    Optional<String> refusal = mechanismRefusal(credentials);
    if (refusal.isPresent()) {
      return new AuthResult.Failure(refusal.get(), Duration.ZERO);
    }
    Throttle.Admission admission = throttle.admit(request.source(), credentials.user());
    if (admission instanceof Throttle.Admission.Refused refused) {
      return new AuthResult.Failure(refused.reason(), refused.delay());
    }
    Throttle.Ticket ticket = ((Throttle.Admission.Admitted) admission).ticket();
    AuthResult result;
    try {
      result = verify(request);
    } catch (CompletionException e) {
      throttle.abandon(ticket);
      if (e.getCause() instanceof RejectedExecutionException) {
        return new AuthResult.Unavailable("busy");
      }
      LOG.warn("authentication of user {} failed internally", credentials.user(), e.getCause());
      return new AuthResult.Unavailable("internal-error");
    } catch (RuntimeException e) {
      throttle.abandon(ticket);
      // Exceptions from this module never carry a secret in their message.
      LOG.warn("authentication of user {} failed internally", credentials.user(), e);
      return new AuthResult.Unavailable("internal-error");
    }
    return switch (result) {
      case AuthResult.Success s -> {
        if (settings.mode() == AuthSettings.Mode.PASSTHROUGH) {
          // Only the upstream knows; it reports through recordUpstreamSuccess/Failure.
          throttle.abandon(ticket);
        } else {
          throttle.succeeded(ticket);
        }
        yield s;
      }
      case AuthResult.Failure f -> new AuthResult.Failure(f.reason(), throttle.failed(ticket));
      case AuthResult.Unavailable u -> {
        throttle.abandon(ticket);
        yield u;
      }
    };
  }

  private Optional<String> mechanismRefusal(Credentials credentials) {
    return switch (credentials) {
      case PasswordCredentials p ->
          settings.mode() == AuthSettings.Mode.BEARER
              ? Optional.of("mechanism-not-allowed")
              : Optional.empty();
      case BearerCredentials b ->
          settings.mode() != AuthSettings.Mode.PASSTHROUGH && bearer.isEmpty()
              ? Optional.of("mechanism-not-allowed")
              : Optional.empty();
      // A certificate cannot be passed through to the upstream.
      case ExternalCredentials e ->
          settings.mode() == AuthSettings.Mode.PASSTHROUGH
              ? Optional.of("mechanism-not-allowed")
              : Optional.empty();
    };
  }

  private AuthResult verify(AuthRequest request) {
    if (settings.mode() == AuthSettings.Mode.PASSTHROUGH) {
      return passthrough(request.credentials());
    }
    return switch (request.credentials()) {
      case PasswordCredentials p ->
          local.orElseThrow().verify(p, request.protocol(), request.secondFactor());
      case BearerCredentials b -> bearer(b);
      case ExternalCredentials e ->
          local.orElseThrow().external(e, request.clientCertificateIdentity());
    };
  }

  private static AuthResult passthrough(Credentials credentials) {
    return switch (credentials) {
      case PasswordCredentials p ->
          new AuthResult.Success(
              new Principal(p.user(), Set.of(), "password", Set.of(Factor.UPSTREAM), p.user()),
              new UpstreamCredential.Password(p.user(), Secret.of(p.password().chars())));
      case BearerCredentials b ->
          new AuthResult.Success(
              new Principal(
                  b.user(), Set.of(), b.mechanism().saslName(), Set.of(Factor.UPSTREAM), b.user()),
              new UpstreamCredential.Bearer(b.user(), Secret.of(b.token().chars()), b.mechanism()));
      case ExternalCredentials e -> new AuthResult.Failure("mechanism-not-allowed", Duration.ZERO);
    };
  }

  private AuthResult bearer(BearerCredentials credentials) {
    BearerResult result = bearer.orElseThrow().validate(credentials.token()).join();
    return switch (result) {
      case BearerResult.Invalid invalid -> new AuthResult.Failure(invalid.reason(), Duration.ZERO);
      case BearerResult.Unavailable u -> new AuthResult.Unavailable(u.reason());
      case BearerResult.Valid valid -> {
        if (!credentials.user().isEmpty() && !credentials.user().equals(valid.user())) {
          // RFC 7628 §3.1: the asserted user must be the token's.
          yield new AuthResult.Failure("user-mismatch", Duration.ZERO);
        }
        yield local
            .map(l -> l.bearerPrincipal(valid.user(), credentials.mechanism().saslName()))
            .orElseGet(
                () ->
                    new AuthResult.Success(
                        new Principal(
                            valid.user(),
                            Set.of(),
                            credentials.mechanism().saslName(),
                            Set.of(Factor.BEARER_TOKEN),
                            valid.user()),
                        new UpstreamCredential.None()));
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      owned.close();
    } catch (Exception e) {
      // Closing executors does not fail in a way that matters at shutdown.
    }
  }

  /** Assembles an {@link Authenticator}; not thread-safe. */
  public static final class Builder {
    private final AuthSettings settings;
    private Clock clock = Clock.systemUTC();
    private Optional<UserDirectory> directory;
    private Optional<SecretBox> secretBox;
    private PasswordHasher hasher;
    private ThrottleStore throttleStore;
    private ReplayGuard replayGuard;
    private Optional<BearerValidator> bearerValidator;
    private AutoCloseable owned = () -> {};

    private Builder(AuthSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The time source for TOTP, throttling and token expiry (tests pass a fake clock). */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    public Builder directory(UserDirectory value) {
      this.directory = Optional.of(value);
      return this;
    }

    public Builder secretBox(SecretBox value) {
      this.secretBox = Optional.of(value);
      return this;
    }

    public Builder hasher(PasswordHasher value) {
      this.hasher = Objects.requireNonNull(value, "hasher");
      return this;
    }

    /** Shared counters for several nodes (Redis); default: in memory. */
    public Builder throttleStore(ThrottleStore value) {
      this.throttleStore = Objects.requireNonNull(value, "throttleStore");
      return this;
    }

    /** Shared replay memory for several nodes (Redis); default: in memory. */
    public Builder replayGuard(ReplayGuard value) {
      this.replayGuard = Objects.requireNonNull(value, "replayGuard");
      return this;
    }

    public Builder bearerValidator(BearerValidator value) {
      this.bearerValidator = Optional.of(value);
      return this;
    }

    /**
     * @throws io.portcullis.auth.secret.KeyFileException if the master key is needed and missing
     * @throws io.portcullis.auth.directory.UserFileException if the user file is invalid
     */
    public Authenticator build() {
      Ticker ticker =
          () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
          };
      boolean needsDirectory = settings.mode() != AuthSettings.Mode.PASSTHROUGH;
      if (directory == null) {
        directory =
            needsDirectory
                ? Optional.of(UserDirectory.open(settings.usersFile()))
                : Optional.empty();
      }
      if (secretBox == null) {
        secretBox =
            needsDirectory
                ? Optional.of(
                    new SecretBox(
                        settings
                            .keyFile()
                            .map(MasterKey::fromFile)
                            .orElseGet(MasterKey::fromEnvironment)))
                : Optional.empty();
      }
      List<AutoCloseable> toClose = new ArrayList<>();
      if (hasher == null) {
        hasher =
            new PasswordHasher(
                settings.password().cost(),
                settings.password().maxConcurrent(),
                settings.password().maxQueued());
        toClose.add(hasher);
      }
      if (throttleStore == null) {
        throttleStore = new CaffeineThrottleStore(settings.throttle(), ticker);
      }
      if (replayGuard == null) {
        replayGuard = new CaffeineReplayGuard(settings.totp().parameters(), ticker);
      }
      if (bearerValidator == null) {
        bearerValidator = settings.bearer().map(b -> new BearerValidator(b, clock));
        bearerValidator.ifPresent(toClose::add);
      }
      owned =
          () -> {
            for (AutoCloseable c : toClose) {
              c.close();
            }
          };
      return new Authenticator(this);
    }
  }
}
