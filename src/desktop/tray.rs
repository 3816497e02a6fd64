//! The tray icon: a StatusNotifierItem (KDE's, which GNOME's AppIndicator
//! extension, Xfce, Cinnamon and others show too) over the D-Bus session
//! bus, with its menu over com.canonical.dbusmenu, through `ksni`. Knows
//! nothing of calendars: it shows a title, a tooltip and whether it wants
//! attention, and tells what the person clicked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ksni::TrayMethods;
use ksni::menu::StandardItem;
use tokio::sync::mpsc;

use super::{Error, Look, Signal, TrayAction};

/// The item on the bus; gone (unregistered) when dropped.
pub struct Tray {
    handle: ksni::Handle<Item>,
    shown: Arc<AtomicBool>,
}

struct Item {
    look: Look,
    icon: Vec<ksni::Icon>,
    attention: Vec<ksni::Icon>,
    shown: Arc<AtomicBool>,
    signals: mpsc::UnboundedSender<Signal>,
}

impl Item {
    fn send(&self, action: TrayAction) {
        let _ = self.signals.send(Signal::Action(action));
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        crate::paths::APP_ID.into()
    }

    fn title(&self) -> String {
        self.look.title.clone()
    }

    fn status(&self) -> ksni::Status {
        if self.look.attention { ksni::Status::NeedsAttention } else { ksni::Status::Active }
    }

    fn icon_name(&self) -> String {
        crate::paths::APP_ID.into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icon.clone()
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.attention.clone()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.look.title.clone(),
            description: self.look.tooltip.clone(),
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(TrayAction::Open);
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        let item = |label: &str, action: TrayAction| {
            StandardItem {
                label: label.into(),
                activate: Box::new(move |t: &mut Self| t.send(action)),
                ..Default::default()
            }
            .into()
        };
        vec![
            item("Open Convene", TrayAction::Open),
            item("Sync now", TrayAction::SyncNow),
            ksni::MenuItem::Separator,
            item("Quit", TrayAction::Quit),
        ]
    }

    fn watcher_online(&self) {
        self.shown.store(true, Ordering::SeqCst);
        let _ = self.signals.send(Signal::Shown(true));
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        tracing::info!("the desktop's tray is gone ({reason:?})");
        self.shown.store(false, Ordering::SeqCst);
        let _ = self.signals.send(Signal::Shown(false));
        // Keep the item: it registers again when a tray comes (back).
        true
    }
}

impl Tray {
    /// Puts the item on the session bus. `icon` is RGBA, `size`×`size`.
    /// Where the desktop has no tray yet the item waits for one
    /// ([`Tray::shown`] is false until then: it starts true, and ksni 0.3
    /// reports the watcher offline during `spawn` when there is none); an
    /// error where there is no session bus.
    pub async fn spawn(
        look: Look,
        icon: Option<(Vec<u8>, u32)>,
    ) -> Result<(Tray, mpsc::UnboundedReceiver<Signal>), Error> {
        let (signals, receiver) = mpsc::unbounded_channel();
        let shown = Arc::new(AtomicBool::new(true));
        let (icon, attention) = match icon {
            Some((rgba, size)) => (vec![argb(&rgba, size, false)], vec![argb(&rgba, size, true)]),
            None => (Vec::new(), Vec::new()),
        };
        let item = Item { look, icon, attention, shown: shown.clone(), signals };
        // Sandboxed (Flatpak), the item may not own a well-known name:
        // the watcher accepts its unique name as well.
        let sandboxed = std::env::var_os("FLATPAK_ID").is_some();
        let handle = item
            .disable_dbus_name(sandboxed)
            .assume_sni_available(true)
            .spawn()
            .await
            .map_err(|e| Error(e.to_string()))?;
        Ok((Tray { handle, shown }, receiver))
    }

    /// Whether a tray shows the item now.
    pub fn shown(&self) -> bool {
        self.shown.load(Ordering::SeqCst)
    }

    pub async fn show(&self, look: Look) {
        self.handle.update(|item| item.look = look).await;
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        // Taken off the bus; nothing to wait for.
        drop(self.handle.shutdown());
    }
}

/// The spec's ARGB32 in network byte order, from RGBA; with a red dot in
/// the top right corner when `dot` (the icon asking for attention).
fn argb(rgba: &[u8], size: u32, dot: bool) -> ksni::Icon {
    let side = size as usize;
    let (centre, radius) = (side as f32 * 0.78, side as f32 * 0.2);
    let mut data = Vec::with_capacity(rgba.len());
    for (i, p) in rgba.chunks_exact(4).enumerate() {
        let (x, y) = ((i % side) as f32 + 0.5, (i / side) as f32 + 0.5);
        let (dx, dy) = (x - centre, y - (side as f32 - centre));
        if dot && dx * dx + dy * dy <= radius * radius {
            data.extend_from_slice(&[255, 220, 40, 40]);
        } else {
            data.extend_from_slice(&[p[3], p[0], p[1], p[2]]);
        }
    }
    ksni::Icon { width: size as i32, height: size as i32, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_go_from_rgba_to_argb_and_the_attention_icon_has_a_red_dot() {
        let size = 10;
        let rgba: Vec<u8> = (0..size * size).flat_map(|_| [1u8, 2, 3, 4]).collect();
        let plain = argb(&rgba, size, false);
        assert_eq!((plain.width, plain.height), (10, 10));
        assert!(plain.data.chunks_exact(4).all(|p| p == [4, 1, 2, 3]));
        let dotted = argb(&rgba, size, true);
        let pixel = |x: usize, y: usize| &dotted.data[(y * 10 + x) * 4..][..4];
        assert_eq!(pixel(8, 2), [255, 220, 40, 40], "top right");
        assert_eq!(pixel(1, 8), [4, 1, 2, 3], "bottom left untouched");
    }
}
