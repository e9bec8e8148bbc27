pub fn run(_: emu::DeviceConfig, _: Vec<std::ffi::OsString>) -> crate::Fallible<u8> {
    todo!()
}
