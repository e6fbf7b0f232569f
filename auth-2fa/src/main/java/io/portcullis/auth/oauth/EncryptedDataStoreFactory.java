package io.portcullis.auth.oauth;

import com.google.api.client.auth.oauth2.StoredCredential;
import com.google.api.client.util.store.AbstractDataStore;
import com.google.api.client.util.store.AbstractDataStoreFactory;
import com.google.api.client.util.store.DataStore;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Google OAuth client's {@code DataStoreFactory} over the {@link EncryptedTokenStore}: the
 * library's {@code AuthorizationCodeFlow} and refresh listeners keep {@link StoredCredential}s in
 * it, keyed by account name. Only {@code StoredCredential} values are accepted, and they are stored
 * as fields, never with Java serialization, so nothing in the file is ever deserialized as an
 * object graph. Thread-safe.
 */
public final class EncryptedDataStoreFactory extends AbstractDataStoreFactory {
  private final EncryptedTokenStore store;

  public EncryptedDataStoreFactory(EncryptedTokenStore store) {
    this.store = store;
  }

  @Override
  protected <V extends Serializable> DataStore<V> createDataStore(String id) {
    if (!id.equals(StoredCredential.DEFAULT_DATA_STORE_ID)) {
      throw new IllegalArgumentException("only the StoredCredential data store is kept");
    }
    @SuppressWarnings("unchecked")
    DataStore<V> view = (DataStore<V>) new CredentialStore(this, id, store);
    return view;
  }

  /** The StoredCredential view of the token store. */
  private static final class CredentialStore extends AbstractDataStore<StoredCredential> {
    private final EncryptedTokenStore store;

    CredentialStore(EncryptedDataStoreFactory factory, String id, EncryptedTokenStore store) {
      super(factory, id);
      this.store = store;
    }

    @Override
    public Set<String> keySet() {
      return Set.copyOf(store.statuses().keySet());
    }

    @Override
    public Collection<StoredCredential> values() {
      List<StoredCredential> out = new ArrayList<>();
      for (String key : keySet()) {
        StoredCredential c = get(key);
        if (c != null) {
          out.add(c);
        }
      }
      return out;
    }

    @Override
    public StoredCredential get(String key) {
      return store
          .get(key)
          .map(
              t ->
                  new StoredCredential()
                      .setAccessToken(t.accessToken().orElse(null))
                      .setRefreshToken(t.refreshToken().orElse(null))
                      .setExpirationTimeMilliseconds(
                          t.accessTokenExpiresAt().map(Instant::toEpochMilli).orElse(null)))
          .orElse(null);
    }

    @Override
    public DataStore<StoredCredential> set(String key, StoredCredential value) {
      if (!(value instanceof StoredCredential)) {
        // Erased generics: refuse anything else rather than store it in the wrong shape.
        throw new IllegalArgumentException("only StoredCredential values are stored");
      }
      store.update(
          key,
          current ->
              Optional.of(
                  current
                      .orElse(StoredToken.EMPTY)
                      .withTokens(
                          Optional.ofNullable(value.getAccessToken()),
                          // A response without a refresh token keeps the one we have.
                          Optional.ofNullable(value.getRefreshToken())
                              .or(() -> current.flatMap(StoredToken::refreshToken)),
                          Optional.ofNullable(value.getExpirationTimeMilliseconds())
                              .map(Instant::ofEpochMilli))));
      return this;
    }

    @Override
    public DataStore<StoredCredential> clear() {
      for (String key : keySet()) {
        store.remove(key);
      }
      return this;
    }

    @Override
    public DataStore<StoredCredential> delete(String key) {
      store.remove(key);
      return this;
    }
  }
}
