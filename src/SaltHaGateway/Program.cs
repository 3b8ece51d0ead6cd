Console.WriteLine("salt-ha-gateway");
