// "Unsigned releases": the products whose unsigned releases the technician allowed, each with a way to withdraw the
// permission, and a way to allow one more (the same question the Flash and Devices views ask where a release is
// blocked). A release signed with an untrusted or revoked key is never let through by this.
import { useState } from 'preact/hooks';
import { useLibrary } from '../library/use-library.ts';
import { withdrawUnsignedReleases } from '../store/index.ts';
import { AllowUnsignedButton } from '../trust/trust-block.tsx';
import { useTrustSettings } from '../trust/trust-settings.ts';

function AllowProductForm({ allowed }: { allowed: readonly string[] }) {
  const library = useLibrary();
  const [product, setProduct] = useState('');
  const products = library.state === 'ready' ? [...new Set(library.releases.map((r) => r.product))].filter((p) => !allowed.includes(p)).sort() : [];
  const chosen = product.trim();
  return (
    <div class="settings__form">
      <label class="settings__field">
        Product
        <input type="text" list="unsigned-products" value={product} onInput={(e) => setProduct(e.currentTarget.value)} placeholder="As the release names it" />
      </label>
      <datalist id="unsigned-products">
        {products.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {chosen !== '' && !allowed.includes(chosen) && <AllowUnsignedButton product={chosen} />}
    </div>
  );
}

export function UnsignedSection() {
  const settings = useTrustSettings();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const withdraw = (product: string) => {
    setProblem(undefined);
    withdrawUnsignedReleases(product).catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  };
  const allowed = settings.state === 'ready' ? settings.allowances.map((a) => a.product) : [];
  return (
    <section class="settings__section" aria-labelledby="unsigned-heading">
      <h3 id="unsigned-heading">Unsigned releases</h3>
      <p>Unsigned releases are installed only for these products. Nothing shows who made an unsigned release or that it was not changed.</p>
      {settings.state === 'ready' &&
        (settings.allowances.length === 0 ? (
          <p>No product: every unsigned release is refused for install.</p>
        ) : (
          <ul class="settings__list" aria-label="Products allowed unsigned">
            {settings.allowances.map((a) => (
              <li key={a.product} class="settings__product">
                <span>
                  {a.product} <span class="settings__since">(allowed {new Date(a.allowedAt).toLocaleString()})</span>
                </span>{' '}
                <button type="button" class="button" aria-label={`Withdraw permission for unsigned releases of ${a.product}`} onClick={() => withdraw(a.product)}>
                  Withdraw
                </button>
              </li>
            ))}
          </ul>
        ))}
      {problem && (
        <p role="alert" class="alert">
          {problem}
        </p>
      )}
      <h4>Allow unsigned releases of a product</h4>
      <AllowProductForm allowed={allowed} />
    </section>
  );
}
