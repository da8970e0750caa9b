// The Settings view: which publishers' keys this laptop trusts, and which products may be installed unsigned.
import { TrustedKeysSection } from './trusted-keys-section.tsx';
import { UnsignedSection } from './unsigned-section.tsx';
import '../trust/trust.css';
import './settings.css';

export function SettingsView() {
  return (
    <section aria-labelledby="settings-heading" class="settings">
      <h2 id="settings-heading">Settings</h2>
      <TrustedKeysSection />
      <UnsignedSection />
    </section>
  );
}
