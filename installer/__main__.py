from installer import bundle

built = bundle.build()
print(f"{bundle.executable(built)} ({bundle.size(built) / 1e6:.1f} MB)")
