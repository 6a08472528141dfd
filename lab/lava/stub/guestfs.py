"""guestfs - import stand-in for lava-dispatcher without libguestfs.

lava-dispatcher 2023.01 imports the libguestfs binding (python3-guestfs)
at module load, but uses it only to build qcow2/ext4 overlay images.
The pcpubench qemu job appends LAVA's overlay to its cpio ramdisk
(`overlays: {lava: true}`, format cpio.newc), which needs no libguestfs;
python3-guestfs would pull in 113 packages (supermin, an appliance
kernel and an upgrade of the systemd packages). lab/lava/setup-lava.sh
puts this directory on lava-run's PYTHONPATH only when the real module
is missing. A job that does need libguestfs fails with this message.
"""


class GuestFS:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "libguestfs is not installed (lab/lava/stub/guestfs.py stands "
            "in for it): this job needs python3-guestfs; the pcpubench "
            "qemu job appends the overlay to its cpio ramdisk instead")
